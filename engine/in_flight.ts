/**
 * What an in-flight marker carries for the engine (the SQL lives in core/repository/in_flight.ts):
 * the file's "before" facts from the start, and from the commit point on the pending run — the
 * outcome, actions and phases the run will be recorded with — plus the identity of the output
 * that is about to replace the original. Also: finding and stopping what a dead run left behind.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { getLogger } from "@logtape/logtape";
import * as v from "valibot";
import { errorMessage, type InFlightMarker, isAlive, libraryOf } from "../core/mod.ts";
import { type BeforeFacts, BeforeFactsSchema, FileIdentitySchema } from "./source.ts";

const log = getLogger(["vpo", "engine"]);

const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const nullableNumber = v.nullable(v.number());

/** The run as it will be recorded, made durable right before the original is replaced. */
export const PendingRunSchema = v.object({
  /** When the replace began. */
  at: v.string(),
  /** Where the output goes (a container change gives it a new extension). */
  final_path: v.string(),
  /** The verified temp output; the rename keeps its inode, which tells a recovery whether it happened. */
  output_path: v.string(),
  output: FileIdentitySchema,
  /** The hard link kept by --keep-backup, made just before the rename. */
  backup_path: v.nullable(v.string()),
  outcome: v.object({ success: v.boolean(), status: v.picklist(["success", "failed", "interrupted"]), error: v.nullable(v.string()) }),
  intent: v.object({ videoTargetCodec: v.optional(v.nullable(v.string())), videoSkipReason: v.optional(v.nullable(v.string())), videoEncoder: v.optional(v.nullable(v.string())) }),
  /** Action reports as the capture runner took them. */
  actions: v.array(v.object({
    type: v.string(), trackType: v.nullable(v.picklist(["video", "audio", "subtitle", "attachment", "data"])), trackIndex: v.nullable(v.number()),
    before: v.unknown(), after: v.unknown(), success: v.boolean(), durationMs: nullableNumber, rule: v.nullable(v.string()), message: v.nullable(v.string()),
  })),
  /** Phases in the record's format. */
  phases: v.array(v.object({
    phase_name: v.string(), wall_time_seconds: nullableNumber, bytes_read: nullableNumber, bytes_written: nullableNumber, encoding_fps: nullableNumber, encoding_bitrate: nullableNumber,
  })),
  phases_completed: count,
  phases_total: count,
  duration_seconds: v.number(),
});
export type PendingRun = v.InferOutput<typeof PendingRunSchema>;

/** A marker as the engine reads it: payloads checked, an unreadable one treated as absent. */
export interface InFlightRun extends Omit<InFlightMarker, "before" | "pending"> {
  before: BeforeFacts | null;
  pending: PendingRun | null;
}

/** Checks a marker's payloads (from the database or a spool line); what does not parse is dropped, never fatal. */
export function inFlightRun(m: InFlightMarker): InFlightRun {
  const before = v.safeParse(BeforeFactsSchema, m.before);
  const pending = v.safeParse(PendingRunSchema, m.pending);
  return { ...m, before: before.success ? (before.output as BeforeFacts) : null, pending: pending.success ? pending.output : null };
}

/**
 * The file as every machine names it, so one file has one run in flight across all of them (the
 * markers' unique key): `library:<name>/<path inside it>` for a file in a `[libraries]` root —
 * machines mount a share at different paths — else `file:<absolute path>`.
 */
export function fileKeyFor(file: string, libraries: Record<string, string>): string {
  const inLibrary = libraryOf(file, libraries);
  return inLibrary ? `library:${inLibrary.library}/${inLibrary.path}` : `file:${file}`;
}

/** Temp files of a run start with this: hidden, beside the original, tagged with the run id. */
export function tempPrefixFor(file: string, runId: string): string {
  return join(dirname(file), `.${basename(file)}.vpo-${runId.slice(-12)}`);
}

/**
 * Deletes every file whose path starts with `prefix` (a run's temp files) but `except`; returns
 * their names. Never throws: a cleanup problem (a read-only disk) is logged, and must not hide why
 * the run failed.
 */
export function removeTempFiles(prefix: string, except?: string): string[] {
  const dir = dirname(prefix);
  const stem = basename(prefix);
  let found: string[];
  try {
    found = existsSync(dir) ? readdirSync(dir).filter((name) => name.startsWith(stem) && join(dir, name) !== except) : [];
  } catch (error) {
    log.warn("Cannot list {dir} to remove temp files: {error}", { dir, error: errorMessage(error) });
    return [];
  }
  const removed: string[] = [];
  for (const name of found) {
    try {
      rmSync(join(dir, name), { force: true });
      removed.push(name);
    } catch (error) {
      log.warn("Cannot remove temp file {file}: {error}", { file: join(dir, name), error: errorMessage(error) });
    }
  }
  return removed;
}


/** Kills an orphaned child, but only when its command line proves it is writing this run's temp file. */
export function stopOrphan(pid: number | null, tempPrefix: string): void {
  if (!pid || !isAlive(pid)) return;
  try {
    if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(tempPrefix)) process.kill(pid, "SIGKILL");
  } catch {
    // no /proc (not Linux) or the process just ended: nothing to stop
  }
}
