/**
 * Processing one file by a policy, safely: probe → plan → in-flight marker → capture run →
 * phases into temp files → verify → atomic rename over the original → record. On any failure,
 * verification mismatch or interruption the temp files go and the original stays as it was;
 * the run is recorded either way.
 */
import { copyFileSync, existsSync, linkSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import {
  type ActiveRun, type Db, errorMessage, type MediaInfo, renameFile, runCapture, type RunOutcome, type RunRecord, saveScannedFiles, VpoError,
} from "../core/mod.ts";
import { ensureFreeSpace, type FreeBytesFn } from "./disk_space.ts";
import { executePlan, interrupted, type PhaseProgress } from "./execute.ts";
import { clearInFlight, markInFlight, removeTempFiles, updateInFlight } from "./in_flight.ts";
import { planFile } from "./plan/plan.ts";
import type { FilePlan } from "./plan/types.ts";
import type { LoadedPolicy } from "./policy/load.ts";
import type { OnError } from "./policy/schema.ts";
import type { Engine } from "./session.ts";
import { verifyOutput } from "./verify.ts";
import { partialHash } from "../core/mod.ts";

export interface ProcessFileOptions {
  file: string;
  policy: LoadedPolicy;
  jobId?: string | null;
  /** Keep the original as `<name>.orig.<ext>` beside the result. */
  keepBackup?: boolean;
  signal?: AbortSignal;
  /** Overrides the policy's config.on_error. */
  onError?: OnError;
  onProgress?: (progress: PhaseProgress) => void;
  /** How free space is measured; replaceable in tests. */
  freeBytes?: FreeBytesFn;
}

export interface FileOutcome {
  record: RunRecord;
  plan: FilePlan | null;
  /** Whether the file on disk was replaced. */
  changed: boolean;
  /** Where the file is now. */
  path: string;
}

/** `movie.mkv` → `movie.orig.mkv`. */
export function backupPathFor(file: string): string {
  const ext = extname(file);
  return join(dirname(file), `${basename(file, ext)}.orig${ext}`);
}

/** Temp files of a run start with this: hidden, beside the original, tagged with the run id. */
export function tempPrefixFor(file: string, runId: string): string {
  return join(dirname(file), `.${basename(file)}.vpo-${runId.slice(-12)}`);
}

/** Refuses, before any work, what would overwrite something or not fit on the disk. */
async function preflight(plan: FilePlan, keepBackup: boolean, free?: FreeBytesFn): Promise<void> {
  if (plan.finalPath !== plan.path && existsSync(plan.finalPath)) {
    throw new VpoError("INVALID_ARGUMENT", `Cannot change "${plan.path}" to ${extname(plan.finalPath)}: "${plan.finalPath}" already exists; nothing was changed`);
  }
  const backup = backupPathFor(plan.path);
  if (keepBackup && existsSync(backup)) {
    throw new VpoError("INVALID_ARGUMENT", `Cannot keep a backup of "${plan.path}": "${backup}" already exists (an earlier backup is never overwritten); nothing was changed`);
  }
  const passes = plan.phases.filter((p) => p.changes).length;
  await ensureFreeSpace(plan.path, dirname(plan.path), statSync(plan.path).size * Math.min(passes, 2), free);
}

/** Puts the verified output in place of the original; the only step that touches it. */
function replaceOriginal(run: ActiveRun, plan: FilePlan, output: string, keepBackup: boolean): void {
  if (keepBackup) {
    const backup = backupPathFor(plan.path);
    try {
      linkSync(plan.path, backup); // instant, and the original's bytes are never copied or moved
    } catch {
      copyFileSync(plan.path, backup);
    }
  }
  renameSync(output, plan.finalPath);
  if (plan.finalPath !== plan.path) {
    rmSync(plan.path, { force: true }); // the new file is in place first: never a moment with neither
    run.moveTo(plan.finalPath);
  }
}

/** The work inside the captured run. */
async function work(engine: Engine, db: Db, run: ActiveRun, o: ProcessFileOptions, plan: FilePlan, info: MediaInfo, prefix: string, done: { replaced: boolean }): Promise<RunOutcome | void> {
  const signal = o.signal ?? new AbortController().signal;
  const file = plan.path;
  if (plan.changes) await preflight(plan, o.keepBackup === true, o.freeBytes);
  if (signal.aborted) throw interrupted(signal, file);
  const onError = o.onError ?? o.policy.policy.config.on_error;
  const result = await executePlan({
    engine, run, plan, sourceInfo: info, policy: o.policy.policy, onError, tempPrefix: prefix, signal, onProgress: o.onProgress,
    onStep: (phase, childPid) => updateInFlight(db, run.context.id, { phase, child_pid: childPid }),
  });
  if (!plan.changes) return;
  if (!result.output) throw new VpoError("COMMAND_FAILED", `${result.failures.join("; ")}; "${file}" was left untouched`);
  const actual = await engine.probe(result.output).catch((error) => {
    throw new VpoError("VERIFY_FAILED", `Output failed verification (ffprobe cannot read it: ${errorMessage(error)}); "${file}" was left untouched`);
  });
  const problems = verifyOutput(result.expected, info.durationSeconds, actual);
  if (problems.length > 0) throw new VpoError("VERIFY_FAILED", `Output failed verification: ${problems.join("; ")}; "${file}" was left untouched`);
  if (signal.aborted) throw interrupted(signal, file);
  await updateInFlight(db, run.context.id, { phase: "replace", child_pid: null });
  const finalPath = join(dirname(file), basename(file, extname(file)) + (result.expected.ext === plan.source.ext ? extname(file) : result.expected.ext));
  replaceOriginal(run, { ...plan, finalPath }, result.output, o.keepBackup === true);
  done.replaced = true;
  if (result.failures.length > 0) {
    return { success: false, error: new VpoError("COMMAND_FAILED", `${result.failures.join("; ")}; the other phases were applied (on_error: continue)`) };
  }
}

/** Keeps the files table in step with a processed file, so the next scan need not probe it. */
async function refreshFileRow(engine: Engine, db: Db, from: string, to: string): Promise<void> {
  await renameFile(db, from, to);
  const stat = statSync(to);
  const info = await engine.probe(to);
  await saveScannedFiles(db, [{ path: to, sizeBytes: stat.size, modifiedAt: new Date(stat.mtimeMs).toISOString(), contentHash: await partialHash(to), info }]);
}

/**
 * Processes one file and records the run (see the module comment for the guarantees).
 * Returns the stored record; throws only when the database cannot take it (it is then spooled).
 */
export async function processFile(engine: Engine, db: Db, o: ProcessFileOptions): Promise<FileOutcome> {
  const file = resolve(o.file);
  const runId = Bun.randomUUIDv7();
  const prefix = tempPrefixFor(file, runId);
  let info: MediaInfo | null = null;
  let plan: FilePlan | null = null;
  let planError: unknown = null;
  try {
    info = await engine.probe(file);
    plan = planFile(info, o.policy.policy);
  } catch (error) {
    planError = error;
  }
  const size = existsSync(file) ? statSync(file).size : null;
  await markInFlight(db, { runId, filePath: file, tempPrefix: prefix, policyName: o.policy.name, jobId: o.jobId ?? null, sizeBefore: size });
  let record: RunRecord;
  const done = { replaced: false };
  try {
    const begin = { id: runId, filePath: file, policyName: o.policy.name, jobId: o.jobId ?? null, intent: plan?.intent ?? {}, phasesTotal: o.policy.policy.phases.length };
    record = await runCapture(engine.capture, begin, async (run) => {
      if (planError || !plan || !info) throw planError;
      return work(engine, db, run, o, plan, info, prefix, done);
    });
  } finally {
    removeTempFiles(prefix);
  }
  try {
    await engine.record(record);
  } finally {
    await clearInFlight(db, runId).catch(() => {});
  }
  const path = record.file_path;
  if (done.replaced) await refreshFileRow(engine, db, file, path).catch(() => {});
  return { record, plan, changed: done.replaced, path };
}
