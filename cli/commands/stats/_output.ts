import { existsSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { VpoError } from "../../../core/mod.ts";

/** Text written incrementally to stdout or to a file. */
export interface Output {
  /** The absolute file path, or undefined for stdout. */
  readonly path?: string;
  write(text: string): Promise<void>;
  /** Flushes; for a file, moves FILE.tmp over FILE. */
  finish(): Promise<void>;
  /** Drops a half-written FILE.tmp (stdout cannot be taken back). */
  abort(): void;
}

const CHUNK = 256 * 1024;

/**
 * Opens stdout, or FILE by way of FILE.tmp renamed into place by finish(), so a failed or
 * interrupted export never leaves a half-written FILE (an existing FILE stays as it was).
 * Writes are gathered into chunks and each chunk's flush is awaited: a slow reader slows the
 * export down instead of making it buffer the whole output in memory.
 */
export function openOutput(file: string | undefined): Output {
  const path = file === undefined || file === "-" ? undefined : resolve(file);
  if (path !== undefined) {
    if (!existsSync(dirname(path))) throw new VpoError("FILE_NOT_FOUND", `Cannot write "${path}": directory "${dirname(path)}" does not exist`);
    if (existsSync(path) && statSync(path).isDirectory()) throw new VpoError("INVALID_ARGUMENT", `Cannot write "${path}": it is a directory`);
  }
  const tmp = path && `${path}.tmp`;
  const sink = tmp ? Bun.file(tmp).writer() : Bun.stdout.writer();
  let pending = "";
  const flush = async () => {
    if (pending === "") return;
    sink.write(pending);
    pending = "";
    await sink.flush();
    // A stream of SQLite rows into a file resolves only microtasks, which would starve the event
    // loop: Ctrl-C (and any timer) would wait for the end of the export. Yield once per chunk.
    await new Promise((resolve) => setImmediate(resolve));
  };
  return {
    path,
    async write(text) {
      pending += text;
      if (pending.length >= CHUNK) await flush();
    },
    async finish() {
      await flush();
      if (tmp) {
        await sink.end();
        renameSync(tmp, path!);
      }
    },
    abort() {
      if (!tmp) return;
      try {
        sink.end();
      } catch {
        // already closed or failed: the file is removed either way
      }
      rmSync(tmp, { force: true });
    },
  };
}
