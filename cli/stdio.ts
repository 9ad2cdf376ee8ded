/**
 * The CLI's standard output and error, handled once for every command: all of it reaches the
 * reader before vpo exits, a reader that leaves early ends vpo quietly, and colour goes only to
 * a terminal.
 */
import { stripVTControlCharacters } from "node:util";

/** True for the error a write gets when the reader has gone away (`vpo … | head -1`). */
export const isBrokenPipe = (error: unknown): boolean => (error as { code?: string })?.code === "EPIPE";

/**
 * When the reader of stdout or stderr goes away, stop at once with exit 0, as a Unix tool killed
 * by SIGPIPE would: what the reader wanted, it got. Without a listener the EPIPE surfaces as an
 * uncaught error with a stack trace. Interrupted work is found and recorded by the next start,
 * as after a second Ctrl-C.
 */
export function exitQuietlyWhenReaderLeaves(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error) => {
      if (isBrokenPipe(error)) process.exit(0);
    });
  }
}

/** Resolves once everything written to `stream` has been taken by the system (or it failed). */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || stream.writableEnded) return Promise.resolve();
  return new Promise((done) => {
    stream.once("error", () => done());
    // Bun reports nothing queued (writableLength 0) and calls write callbacks early; only the
    // end() callback waits for a slow reader to take the last byte.
    stream.end(() => done());
  });
}

/**
 * Waits until stdout and stderr are written out. Call it last: process.exit() drops what is still
 * queued, which on a pipe to a slow reader is everything past the first 64 KiB.
 */
export async function drainStdio(): Promise<void> {
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
}

/** True when colour may be written to `stream`: a terminal, and no NO_COLOR (https://no-color.org). */
export const colorAllowed = (stream: NodeJS.WriteStream): boolean => stream.isTTY === true && !process.env.NO_COLOR;

/** `text` for `stream`: colour codes (citty adds them unconditionally) removed unless it may show them. */
export const forStream = (stream: NodeJS.WriteStream, text: string): string => (colorAllowed(stream) ? text : stripVTControlCharacters(text));
