import { createWriteStream, existsSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import type { Writable } from "node:stream";
import { errorMessage, VpoError } from "../../../core/mod.ts";
import { sqliteFileAt } from "../../sqlite_file.ts";
import { isBrokenPipe } from "../../stdio.ts";

/** Text written incrementally to stdout or to a file. */
export interface Output {
  /** The absolute file path, or undefined for stdout. */
  readonly path?: string;
  write(text: string | Uint8Array): Promise<void>;
  /** Flushes; for a file, moves FILE.tmp over FILE. */
  finish(): Promise<void>;
  /** Drops a half-written FILE.tmp (stdout cannot be taken back). */
  abort(): void;
}

const CHUNK = 256 * 1024;

/** Extensions that name a format besides the format's own name. */
const EXTENSION_FORMATS: Record<string, string> = { markdown: "md", htm: "html", jsonl: "ndjson" };

/**
 * The format to write: --format when given, else the one --output's extension names (`runs.csv`,
 * `report.pdf`), else the default. A --format that contradicts the file's known extension is
 * refused: Markdown written into report.pdf is a file nothing opens.
 */
export function outputFormat<F extends string>(formats: readonly F[], chosen: F, rawArgs: readonly string[], output: string | undefined): F {
  const given = rawArgs.some((a) => a === "--format" || a.startsWith("--format="));
  const extension = output === undefined ? "" : extname(output).slice(1).toLowerCase();
  const named = formats.find((f) => f === (EXTENSION_FORMATS[extension] ?? extension));
  if (!given) return named ?? chosen;
  if (named !== undefined && named !== chosen) {
    throw new VpoError("INVALID_ARGUMENT", `--format ${chosen} does not match --output "${output}" (a .${extension} file): leave --format out, or name the file .${chosen}`);
  }
  return chosen;
}

/**
 * Opens stdout, or FILE by way of FILE.tmp renamed into place by finish(), so a failed or
 * interrupted export never leaves a half-written FILE (an existing FILE stays as it was).
 * Writes are gathered into chunks and each chunk is awaited until the system has taken it: a slow
 * reader slows the export down instead of making it buffer the whole output in memory, and a
 * failed write (disk full, closed pipe) fails the export instead of being lost.
 */
export function openOutput(file: string | undefined): Output {
  const path = file === undefined || file === "-" ? undefined : resolve(file);
  if (path !== undefined) {
    if (!existsSync(dirname(path))) throw new VpoError("FILE_NOT_FOUND", `Cannot write "${path}": directory "${dirname(path)}" does not exist`);
    if (existsSync(path) && statSync(path).isDirectory()) throw new VpoError("INVALID_ARGUMENT", `Cannot write "${path}": it is a directory`);
    const database = sqliteFileAt(path);
    if (database) throw new VpoError("INVALID_ARGUMENT", `Cannot write "${path}": it is ${database === path ? "" : "part of "}the SQLite database "${database}"; choose another file`);
  }
  const tmp = path && `${path}.tmp`;
  const stream: Writable = tmp ? createWriteStream(tmp) : process.stdout;
  let failure: unknown;
  // Without a listener a failed write would also surface as an uncaught 'error' event.
  const onError = (error: unknown) => (failure ??= error);
  stream.on("error", onError);
  const where = path ? `"${path}"` : "standard output";
  const fail = (error: unknown) =>
    isBrokenPipe(error) ? error : new VpoError("COMMAND_FAILED", `Cannot write to ${where}: ${errorMessage(error)}`, { cause: error });

  let pending: string | Uint8Array = "";
  const flush = async () => {
    if (pending.length === 0) return;
    const chunk = pending;
    pending = "";
    await new Promise<void>((done, reject) => stream.write(chunk, (error) => (error ? reject(fail(error)) : done())));
    if (failure) throw fail(failure);
    // A stream of SQLite rows resolves only microtasks, which would starve the event loop:
    // Ctrl-C (and any timer) would wait for the end of the export. Yield once per chunk.
    await new Promise((done) => setImmediate(done));
  };
  return {
    path,
    async write(text) {
      if (typeof text !== "string") {
        // Binary documents (a PDF report) go as they are, after any text before them.
        await flush();
        pending = text;
        await flush();
        return;
      }
      pending += text;
      if (pending.length >= CHUNK) await flush();
    },
    async finish() {
      await flush();
      if (tmp) {
        await new Promise<void>((done, reject) => stream.end((error?: unknown) => (error || failure ? reject(fail(error ?? failure)) : done())));
        renameSync(tmp, path!);
      }
      stream.off("error", onError);
    },
    abort() {
      stream.off("error", onError);
      if (!tmp) return;
      stream.on("error", () => {}); // the file is being thrown away: later errors do not matter
      stream.destroy();
      rmSync(tmp, { force: true });
    },
  };
}
