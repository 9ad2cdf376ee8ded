/**
 * The CLI's standard output and error, handled once for every command: all of it reaches the
 * reader before vpo exits, a reader that leaves early ends vpo quietly, and colour goes only to
 * a terminal.
 *
 * Two ways to write. Most commands use `process.stdout`/`process.stderr` (Node streams); their
 * first use loads Node's stream machinery, about 15 ms a process (more on a busy machine).
 * Commands on the per-file path (`vpo run`) never touch them: they write through `writeOut` and
 * `writeErr` (Bun.write, in order), and so does what every command shares (errors, logging).
 */
import { stripVTControlCharacters } from "node:util";

/** True for the error a write gets when the reader has gone away (`vpo … | head -1`). */
export const isBrokenPipe = (error: unknown): boolean => (error as { code?: string })?.code === "EPIPE";

/** Whether the Node streams are in use (exitQuietlyWhenReaderLeaves was called). */
let nodeStreams = false;
/** What was handed to Bun.write and may not be written yet, per descriptor, in order. */
const queued: Record<1 | 2, Promise<void>> = { 1: Promise.resolve(), 2: Promise.resolve() };

/**
 * When the reader of stdout or stderr goes away, stop at once with exit 0, as a Unix tool killed
 * by SIGPIPE would: what the reader wanted, it got. Without a listener the EPIPE surfaces as an
 * uncaught error with a stack trace. Interrupted work is found and recorded by the next start,
 * as after a second Ctrl-C. Call it before a command that writes to the Node streams runs.
 */
export function exitQuietlyWhenReaderLeaves(): void {
  nodeStreams = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error) => {
      if (isBrokenPipe(error)) process.exit(0);
    });
  }
}

/**
 * Writes `text` to stdout (1) or stderr (2): through the Node stream when the command uses them
 * (so its lines stay in order with the command's own), else through Bun.write, queued in order.
 */
function write(fd: 1 | 2, text: string): void {
  if (nodeStreams) {
    (fd === 1 ? process.stdout : process.stderr).write(text);
    return;
  }
  queued[fd] = queued[fd].then(() => Bun.write(fd === 1 ? Bun.stdout : Bun.stderr, text)).then(
    () => {},
    (error: unknown) => {
      if (isBrokenPipe(error)) process.exit(0); // as exitQuietlyWhenReaderLeaves
    },
  );
}

export const writeOut = (text: string): void => write(1, text);
export const writeErr = (text: string): void => write(2, text);

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
  await Promise.all([queued[1], queued[2]]);
  if (nodeStreams) await Promise.all([drained(process.stdout), drained(process.stderr)]);
}

/**
 * Whether descriptor 1 or 2 is a terminal. Asked of the runtime's tty binding, which answers as
 * `process.stdout.isTTY` does without creating the stream (node:tty would load the streams too).
 */
export function isTerminal(fd: 1 | 2): boolean {
  try {
    return (process as unknown as { binding(name: string): { isTTY(fd: number): boolean } }).binding("tty_wrap").isTTY(fd) === true;
  } catch {
    return (fd === 1 ? process.stdout : process.stderr).isTTY === true;
  }
}

/** True when colour may be written to descriptor `fd`: a terminal, and no NO_COLOR (https://no-color.org). */
export const colorAllowed = (fd: 1 | 2): boolean => isTerminal(fd) && !process.env.NO_COLOR;

/** `text` for descriptor `fd`: colour codes (citty adds them unconditionally) removed unless it may show them. */
export const forStream = (fd: 1 | 2, text: string): string => (colorAllowed(fd) ? text : stripVTControlCharacters(text));
