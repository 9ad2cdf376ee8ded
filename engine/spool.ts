/**
 * The spool: an NDJSON file beside the database for what the database could not take — whole
 * runs (in the import format) and in-flight markers (`{"in_flight": …}`) that had to be made
 * durable at a commit point. Appends are fsynced and their byte count checked, so a line that
 * was reported written is on disk. The next start claims the file (by renaming it, so appends go
 * to a fresh one meanwhile), replays it idempotently by run id, and deletes it.
 */
import { closeSync, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { errorMessage } from "../core/mod.ts";
import { isAlive } from "../core/mod.ts";

/**
 * Appends one entry and makes it durable: written in full, fsynced, and still in the spool (a
 * replay that claimed the file meanwhile gets it again in the new one; replays skip duplicates).
 * Each entry starts on a fresh line, so a line torn by an earlier failure never swallows it.
 * Throws when the entry cannot be made durable.
 */
export function appendToSpool(path: string, entry: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const bytes = Buffer.from(`\n${JSON.stringify(entry)}\n`);
  for (let attempt = 0; attempt < 3; attempt++) {
    const fd = openSync(path, "a");
    try {
      const written = writeSync(fd, bytes);
      if (written !== bytes.length) throw new Error(`only ${written} of ${bytes.length} bytes could be written`);
      fsyncSync(fd);
      if (statSync(path, { throwIfNoEntry: false })?.ino === fstatSync(fd).ino) return;
    } finally {
      closeSync(fd);
    }
  }
  throw new Error("the spool was claimed by a replay three times while writing to it");
}

/** Name of a claimed spool: `<spool>.replay.<host>.<pid>.<n>`. */
function claimName(path: string): string {
  return `${path}.replay.${hostname()}.${process.pid}.${Bun.randomUUIDv7().slice(-8)}`;
}

/** host and pid of a claim file name, or null when `name` is not a claim of `spool`. */
function claimOwner(spool: string, name: string): { host: string; pid: number } | null {
  if (!name.startsWith(`${spool}.replay.`)) return null;
  const parts = name.slice(spool.length + ".replay.".length).split(".");
  const pid = Number(parts.at(-2));
  return parts.length >= 3 && Number.isInteger(pid) ? { host: parts.slice(0, -2).join("."), pid } : null;
}

/**
 * Takes the spool for replaying, together with claims left by replays on this host that died:
 * each is renamed to a claim of this process (atomic, so two starting commands never replay the
 * same file). Returns the claimed files.
 */
export function claimSpool(path: string): string[] {
  const dir = dirname(path);
  if (!existsSync(dir)) return [];
  const claimed: string[] = [];
  const take = (from: string) => {
    const to = claimName(path);
    try {
      renameSync(from, to);
      claimed.push(to);
    } catch {
      // gone (another process claimed it first) or not ours to take
    }
  };
  for (const name of readdirSync(dir)) {
    const owner = claimOwner(basename(path), name);
    if (owner && owner.host === hostname() && owner.pid !== process.pid && !isAlive(owner.pid)) take(join(dir, name));
  }
  if (existsSync(path)) take(path);
  return claimed;
}

export type SpoolLine = { line: number; entry: Record<string, unknown> } | { line: number; problem: string };

/** The lines of a claimed file; a torn or unreadable line is reported as a problem, never thrown. */
export function readSpoolFile(file: string): SpoolLine[] {
  const out: SpoolLine[] = [];
  readFileSync(file, "utf8").split("\n").forEach((text, i) => {
    if (text.trim() === "") return;
    try {
      const entry = JSON.parse(text);
      if (typeof entry !== "object" || entry === null || Array.isArray(entry)) throw new Error("not a JSON object");
      out.push({ line: i + 1, entry });
    } catch (error) {
      out.push({ line: i + 1, problem: `line ${i + 1} is torn or unreadable (${errorMessage(error)}); skipped: ${text.slice(0, 120)}` });
    }
  });
  return out;
}
