/**
 * One queue job on one worker: find the file through this machine's library root, skip it when
 * its content already has a successful run under the job's policy, take over a run a dead worker
 * left on it, then put it through the one run lifecycle exactly as `vpo process` does — with a
 * run id derived from the job and attempt, progress written to the marker, and the lease checked
 * again right before the original is replaced.
 */
import { existsSync } from "node:fs";
import { isRunStored, pathInLibrary, VpoError } from "../../core/mod.ts";
import { fileKeyFor } from "../in_flight.ts";
import { runLifecycle } from "../lifecycle.ts";
import { processedBefore } from "../process_batch.ts";
import { policyStep } from "../policy_step.ts";
import { type RecoveredRun, takeOverFile } from "../recovery.ts";
import type { Engine } from "../session.ts";
import { type HeldJob, policyOfJob, readJobData, runIdFor } from "./job.ts";
import { reportProgress } from "./progress.ts";

/** What became of a job that did not fail (stored as the job's output). */
export interface JobResult {
  outcome: "processed" | "already_processed";
  run_id: string;
  file: string;
  /** Whether the file was rewritten. */
  changed: boolean;
  node: string | null;
}

export interface ProcessJobOptions {
  /** Asked right before the rename: does this worker still hold the job's lease? */
  stillOwned(): Promise<boolean>;
  /** Stops the run (the worker is stopping); the run is recorded as interrupted and the job goes back to the queue. */
  signal: AbortSignal;
  /** A marker of another machine with no heartbeat for this long belongs to a dead worker. */
  staleAfterMs: number;
  keepBackup?: boolean;
  onStart?(file: string, runId: string): void;
  /** A run a dead worker left on the file was recorded (as interrupted, or as the completed run it was). */
  onTakeover?(recovered: RecoveredRun): void;
}

/** The machine-independent name of the job's file, for messages. */
const named = (data: { library: string; path: string }) => `${data.library}/${data.path}`;

/**
 * Processes the job's file (see the module comment). Resolves with what happened; throws — so
 * pg-boss retries the job, up to its limit — when the file cannot be processed here, its run
 * failed, or the lease was lost.
 */
export async function processQueueJob(engine: Engine, job: HeldJob, o: ProcessJobOptions): Promise<JobResult> {
  const data = readJobData(job);
  const where = `node ${engine.node ?? "(unnamed)"}`;
  const file = pathInLibrary(data, engine.libraries);
  if (file === null) {
    const known = Object.keys(engine.libraries);
    throw new VpoError("INVALID_CONFIG", `${where} has no library "${data.library}" in its [libraries] (${known.length ? `it has ${known.join(", ")}` : "it has none"}); cannot process ${named(data)}`);
  }
  if (!existsSync(file)) throw new VpoError("FILE_NOT_FOUND", `${named(data)} is not at "${file}" on ${where}`);
  const policy = policyOfJob(data, job.id);
  const step = policyStep(engine, policy);
  const runId = runIdFor(job.id, job.retryCount);
  if (await isRunStored(engine.db, runId)) return { outcome: "processed", run_id: runId, file, changed: false, node: engine.node }; // recorded by this very attempt already
  // First what a dead worker left on the file: a run it finished before dying is recorded now, and counts below.
  const { holder, recovery } = await takeOverFile(engine, fileKeyFor(file, engine.libraries), o.staleAfterMs);
  for (const recovered of recovery.recovered) o.onTakeover?.(recovered);
  if (holder) {
    throw new VpoError("COMMAND_FAILED", `${named(data)} is still being processed by run ${holder.runId} (${holder.node ? `node ${holder.node}, ` : ""}host ${holder.host}, pid ${holder.pid}); tried again later`);
  }
  const earlier = await processedBefore(engine, step, file);
  if (earlier) return { outcome: "already_processed", run_id: earlier.id, file, changed: false, node: engine.node };

  o.onStart?.(file, runId);
  const progress = reportProgress(engine.db, runId);
  let outcome: Awaited<ReturnType<typeof runLifecycle>>;
  try {
    outcome = await runLifecycle(engine, step, {
      file, policyName: policy.name, jobId: job.id, runId, queueJob: { id: job.id, attempt: job.retryCount },
      signal: AbortSignal.any([job.signal, o.signal]), onProgress: progress.onProgress, keepBackup: o.keepBackup,
      mayReplace: () => o.stillOwned().catch(() => false), // a lease that cannot be confirmed is not ours
    });
  } finally {
    await progress.stop();
  }
  const { record } = outcome;
  if (!record.success) {
    const lost = job.signal.aborted ? " (the job's lease was lost: another worker takes it over)" : "";
    throw new VpoError("COMMAND_FAILED", `${named(data)} on ${where}: run ${record.id} ${record.status}${lost}: ${record.error_message ?? "no reason recorded"}`);
  }
  // A run the database refused is durable in the spool (stored at the next start): the file's work is done either way.
  return { outcome: "processed", run_id: record.id, file: outcome.path, changed: outcome.changed, node: engine.node };
}
