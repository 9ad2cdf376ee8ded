/**
 * The one lifecycle of a run on a file, for `vpo process`, `vpo run` and a future queue worker:
 *
 *   begin   read the source (identity, probe, hash) → plan the step → in-flight marker with the
 *           "before" facts → capture.begin (beforeRun hooks)
 *   phases  the step writes temp files beside the original (nothing else touches them)
 *   verify  the step checks its output
 *   commit  the run made durable → may I still replace? → is the source unchanged? → rename
 *   record  capture.finish → database (else the fsynced spool) → marker removed (with the
 *           replaced file's files row, in one transaction)
 *
 * The replace is the commit point: before it the original is untouched whatever happens; after
 * it the marker (or the spool) holds the whole run, so a crash still gets it recorded right.
 * Cancelled only through the AbortSignal; this module installs no signal handlers.
 */
import { existsSync, statSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, extname, resolve } from "node:path";
import { getLogger, withContext } from "@logtape/logtape";
import {
  type ActiveRun, deleteInFlight, errorMessage, findInFlightByKey, findProcessedRun, insertInFlight, libraryOf, partialHash, type RunOutcome, type RunRecord,
  type ScannedFile, settleInFlight, trace, updateInFlight, VpoError,
} from "../core/mod.ts";
import { toolFailureOf } from "./child.ts";
import { backupPathFor, commitReplace, heldOriginalPath, type MayReplace } from "./commit.ts";
import { ensureFreeSpace, type FreeBytesFn, writeBlocker } from "./disk_space.ts";
import { fileKeyFor, removeTempFiles, tempPrefixFor } from "./in_flight.ts";
import type { Engine, Stored } from "./session.ts";
import { readSource, type Source } from "./source.ts";
import { interrupted, type PhaseProgress, type RunStep, type StepPlan, type StepResult } from "./step.ts";

const log = getLogger(["vpo", "engine"]);
/** Each run's start and outcome: what `vpo process` prints itself (REPORTED_LOG_CATEGORIES). */
const runLog = getLogger(["vpo", "engine", "runs"]);

export interface LifecycleOptions {
  file: string;
  /** The name the run is recorded under. */
  policyName: string;
  jobId?: string | null;
  /** Stops the run: the child is killed, temp files removed, the run recorded as interrupted. */
  signal?: AbortSignal;
  onProgress?: (progress: PhaseProgress) => void;
  /** Keep the original as `<name>.orig.<ext>` beside the result. */
  keepBackup?: boolean;
  /** How free space is measured; replaceable in tests. */
  freeBytes?: FreeBytesFn;
  /**
   * Asked right before the original is replaced; when it answers false the original is never
   * replaced and the run is recorded as interrupted. A queue worker checks its lease here.
   */
  mayReplace?: MayReplace;
  /** The run's id (default: a new UUIDv7). A queue worker derives it from the job and attempt, so a delivery is recorded once. */
  runId?: string;
  /** The queue job and attempt the run works for; kept on the in-flight marker. */
  queueJob?: { id: string; attempt: number };
}

export interface FileOutcome {
  record: RunRecord;
  /** Whether the file on disk was replaced. */
  changed: boolean;
  /** Where the file is now. */
  path: string;
  /** Where the record went: the database, or the spool when the database refused it. */
  stored: Stored;
}

/** Refuses, before any work, what cannot be written, would overwrite something or would not fit. */
async function preflight(source: Source, plan: StepPlan, o: LifecycleOptions): Promise<void> {
  const file = source.path;
  const blocked = writeBlocker(dirname(file));
  if (blocked) throw new VpoError("COMMAND_FAILED", `Cannot rewrite "${file}": ${blocked}; nothing was changed`);
  const finalPath = plan.finalPath ?? file;
  if (finalPath !== file && existsSync(finalPath)) {
    throw new VpoError("INVALID_ARGUMENT", `Cannot change "${file}" to ${extname(finalPath)}: "${finalPath}" already exists; nothing was changed`);
  }
  const backup = backupPathFor(file);
  if (o.keepBackup && existsSync(backup)) {
    throw new VpoError("INVALID_ARGUMENT", `Cannot keep a backup of "${file}": "${backup}" already exists (an earlier backup is never overwritten); nothing was changed`);
  }
  await ensureFreeSpace(file, dirname(file), (source.before.size ?? 0) * plan.outputs, o.freeBytes);
}

interface Work {
  engine: Engine;
  step: RunStep;
  plan: StepPlan;
  source: Source;
  marker: Parameters<typeof commitReplace>[0]["marker"];
  o: LifecycleOptions;
  signal: AbortSignal;
}

/** What the work inside a captured run came to: the outcome to record, and whether the file was replaced. */
interface Done {
  outcome: RunOutcome;
  committed: boolean;
  /** The replaced original's blocks being freed in the background (commit.ts). */
  released?: Promise<void>;
}

/** How a thrown error is recorded: interrupted when the signal (or a veto) stopped the run, failed otherwise. */
function failure(error: unknown): RunOutcome {
  return { success: false, error, status: error instanceof VpoError && error.code === "INTERRUPTED" ? "interrupted" : "failed" };
}

/** Phases → verify → commit, inside the captured run. Never throws: a failure is the outcome. */
async function work(w: Work, run: ActiveRun): Promise<Done> {
  const { engine, plan, source, signal } = w;
  const file = source.path;
  const started = performance.now();
  let result: StepResult;
  try {
    if (plan.outputs > 0) await preflight(source, plan, w.o);
    if (signal.aborted) throw interrupted(signal, file);
    result = await plan.execute({
      run, source, signal, onProgress: w.o.onProgress,
      tempFile: (tag, ext) => `${w.marker.tempPrefix}.${tag}${ext}`,
      onStep: (phase, childPid) => updateInFlight(engine.db, run.context.id, { phase, childPid }).catch((error) => {
        log.warn("Cannot note phase {phase} of run {run_id} in its in-flight marker: {error}", { phase, run_id: run.context.id, error: errorMessage(error) });
      }),
    });
    if (result.output) {
      await plan.verify(result.output);
      if (signal.aborted) throw interrupted(signal, file);
    }
  } catch (error) {
    return { outcome: failure(error), committed: false };
  }
  // on_error: continue — the output still replaces the original, and the run is recorded as failed.
  const outcome = result.failure ? failure(new VpoError("COMMAND_FAILED", result.failure, { details: result.failureDetail ?? undefined })) : { success: true };
  if (!result.output) return { outcome, committed: false };
  const phases = run.context.phases;
  const completed = phases.filter((p) => p.success).length;
  let released: Promise<void>;
  try {
    ({ released } = await commitReplace({
      engine, run, marker: w.marker, source, output: result.output, finalPath: result.finalPath ?? plan.finalPath ?? file, keepBackup: w.o.keepBackup === true, mayReplace: w.o.mayReplace,
      pending: {
        outcome: result.failure ? { success: false, status: "failed", error: result.failure } : { success: true, status: "success", error: null },
        intent: plan.intent,
        actions: [...run.context.actions],
        phases: phases.map((p) => ({ phase_name: p.name, wall_time_seconds: p.wallTimeSeconds, bytes_read: p.bytesRead, bytes_written: p.bytesWritten, encoding_fps: p.encodingFps, encoding_bitrate: p.encodingBitrate })),
        phases_completed: completed,
        phases_total: Math.max(w.step.phasesTotal, completed),
        duration_seconds: (performance.now() - started) / 1000,
      },
    }));
  } catch (error) {
    return { outcome: failure(error), committed: false }; // commitReplace throws only before the rename
  }
  trace("commit: renamed (original held, freed in the background)");
  return { outcome, committed: true, released };
}

/** Why the marker could not be written: the file is in flight elsewhere (one run per file across all machines), or the database refused it. */
async function markerRefused(engine: Engine, fileKey: string, error: unknown): Promise<string> {
  const holder = await findInFlightByKey(engine.db, fileKey).catch(() => null);
  if (holder) {
    return `Another run is already processing this file (run ${holder.runId} on ${holder.node ? `node ${holder.node}, ` : ""}host ${holder.host}, pid ${holder.pid}, since ${holder.startedAt})`;
  }
  return `Cannot mark the run in flight in the database (${errorMessage(error)})`;
}

/** The files row of a replaced file, so the next scan need not probe it (the probe and hash are this state's, already made). */
async function replacedFileRow(engine: Engine, path: string): Promise<ScannedFile> {
  const stat = statSync(path);
  const [info, contentHash] = await Promise.all([engine.probe(path), partialHash(path)]);
  return { path, sizeBytes: stat.size, modifiedAt: new Date(stat.mtimeMs).toISOString(), contentHash, info };
}

/**
 * Runs `step` on one file through the whole lifecycle (see the module comment) and records the
 * run. Resolves with the record whatever happened to the file; throws (DB_ERROR) only when the
 * record could go neither to the database nor to the spool — the marker then stays, and the
 * next start records the run from it.
 *
 * @example
 * const { record, changed } = await runLifecycle(engine, policyStep(engine, policy), { file: "/m/a.mkv", policyName: policy.name, signal });
 */
export function runLifecycle(engine: Engine, step: RunStep, o: LifecycleOptions): Promise<FileOutcome> {
  const runId = o.runId ?? Bun.randomUUIDv7();
  // Every line logged for this run — by the engine, its children, the plugins — names it.
  return withContext({ run_id: runId, file: resolve(o.file), node: engine.node ?? undefined }, () => lifecycle(engine, step, o, runId));
}

/** The record of a failed run keeps the command line and stderr tail of the tool that failed. */
function withFailureDetail(record: RunRecord, outcome: RunOutcome): RunRecord {
  const detail = record.success ? null : toolFailureOf(outcome.error);
  return detail ? { ...record, failure_command: detail.command, failure_output: detail.output || null } : record;
}

/** Logs how a run ended: info when it succeeded, error with the reason (and the tool's stderr tail) when it failed. */
function logOutcome(record: RunRecord, changed: boolean, seconds: number): void {
  const props = { run_id: record.id, file: record.file_path, policy: record.policy_name, status: record.status, seconds: Math.round(seconds * 1000) / 1000 };
  if (record.success) {
    runLog.info("Finished {file}: {outcome} in {seconds} s", { ...props, outcome: changed ? `rewritten (${record.total_changes} change(s))` : "left as it was" });
  } else if (record.status === "interrupted") {
    runLog.warn("Interrupted {file} after {seconds} s: {error}", { ...props, error: record.error_message });
  } else {
    runLog.error("Failed {file} after {seconds} s: {error}", { ...props, error: record.error_message, command: record.failure_command });
    if (record.failure_output) runLog.error("{program} said (last lines of stderr):\n{output}", { ...props, program: record.failure_command?.split(" ")[0]?.split("/").pop() ?? "the tool", output: record.failure_output, command: record.failure_command });
  }
}

async function lifecycle(engine: Engine, step: RunStep, o: LifecycleOptions, runId: string): Promise<FileOutcome> {
  const file = resolve(o.file);
  const started = performance.now();
  runLog.info("Started {file} (policy {policy})", { file, policy: o.policyName, job_id: o.jobId ?? undefined });
  const signal = o.signal ?? new AbortController().signal;
  trace("lifecycle: start");
  const source = await readSource(engine.probe, file);
  trace("lifecycle: source read (probe, hash)");
  let plan: StepPlan | null = null;
  let planError: unknown = null;
  try {
    plan = await step.plan(source);
  } catch (error) {
    planError = error;
  }
  const inLibrary = libraryOf(file, engine.libraries);
  const startedAt = new Date().toISOString();
  const marker = {
    runId, filePath: file, tempPrefix: tempPrefixFor(file, runId), policyName: o.policyName, jobId: o.jobId ?? null,
    host: hostname(), pid: process.pid, sizeBefore: source.before.size, startedAt, before: source.before, node: engine.node,
    fileKey: fileKeyFor(file, engine.libraries), library: inLibrary?.library ?? null, libraryPath: inLibrary?.path ?? null,
    // A queue worker's run keeps a heartbeat on its marker (engine/queue/progress.ts): its first is now.
    queueJob: o.queueJob ?? null, heartbeatAt: o.queueJob ? startedAt : null, policyDigest: step.policyDigest ?? null,
  };
  // Written before the plugins run and before any temp file, so a run killed from here on is recorded by the next start.
  const markerError = await insertInFlight(engine.db, marker).then(() => null, (error: unknown) => markerRefused(engine, marker.fileKey, error));
  let done: Done | undefined;
  let record: RunRecord;
  try {
    trace("lifecycle: marker written");
    const run = await engine.capture.begin({
      id: runId, filePath: file, policyName: o.policyName, jobId: o.jobId ?? null, intent: plan?.intent ?? {}, phasesTotal: step.phasesTotal,
      node: engine.node, library: inLibrary?.library ?? null, policyDigest: step.policyDigest ?? null,
    });
    done = markerError
      ? { outcome: failure(new VpoError("DB_ERROR", `${markerError}; "${file}" was left untouched`)), committed: false }
      : plan ? await work({ engine, step, plan, source, marker, o, signal }, run) : { outcome: failure(planError), committed: false };
    record = withFailureDetail(await run.finish(done.outcome), done.outcome);
    trace("lifecycle: capture finished");
  } finally {
    // The replaced original, still being freed, goes last: before the marker (below).
    removeTempFiles(marker.tempPrefix, done?.released ? heldOriginalPath(marker.tempPrefix) : undefined);
  }
  // Throws when neither the database nor the spool took it: the marker stays for the next start.
  const stored = await engine.record(record);
  trace("lifecycle: recorded");
  const fileRow = done.committed ? replacedFileRow(engine, record.file_path).catch(() => undefined) : undefined;
  // Until the marker goes, a crash leaves the held original to the recovery, as a temp file of the run.
  await done.released;
  // Stored (or durably spooled, which the next start replays before it looks at markers).
  const row = await fileRow;
  await settleInFlight(engine.db, runId, row && { from: file, file: row }).catch(() => deleteInFlight(engine.db, runId)).catch(() => {});
  trace("lifecycle: marker deleted, file row refreshed");
  logOutcome(record, done.committed, (performance.now() - started) / 1000);
  return { record, changed: done.committed, path: record.file_path, stored };
}
