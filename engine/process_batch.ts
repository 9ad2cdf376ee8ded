/**
 * A job of runs: `vpo process` (a policy over many files) and `vpo run` (a command on one file)
 * both open a job, put each file through the run lifecycle with N workers, and close the job as
 * completed, failed (on_error: fail tripped, or the database refused a run) or cancelled
 * (interrupted). file.started / file.progress / file.finished events go on the bus for
 * terminals and the server.
 */
import { getLogger, withContext } from "@logtape/logtape";
import * as v from "valibot";
import { createJob, errorMessage, type EventBus, fieldSchema, findProcessedRun, type Job, type JobType, partialHash, trace, updateJob, VpoError } from "../core/mod.ts";
import type { FreeBytesFn } from "./disk_space.ts";
import { type FileOutcome, runLifecycle } from "./lifecycle.ts";
import { readAhead } from "./source.ts";
import type { MayReplace } from "./commit.ts";
import { policyStep } from "./policy_step.ts";
import type { LoadedPolicy } from "./policy/load.ts";
import { commandStep } from "./run_command.ts";
import type { Engine } from "./session.ts";
import type { RunStep } from "./step.ts";

const log = getLogger(["vpo", "engine", "jobs"]);

/**
 * Log categories whose records repeat what a command reports to its user itself (each file's
 * outcome, the job's totals, recovered runs): a CLI showing its own report leaves them out of
 * stderr unless asked for detail (--log-level info); the log file and the log store keep them.
 */
export const REPORTED_LOG_CATEGORIES = ["vpo.engine.runs", "vpo.engine.jobs", "vpo.engine.recovery"] as const;

export interface JobOptions {
  type: Extract<JobType, "process" | "run">;
  /** The name runs are recorded under. */
  policyName: string;
  files: readonly string[];
  /** What is done to each file. */
  step: RunStep;
  /** Start no new file once one failed (on_error: fail). */
  stopOnFailure?: boolean;
  /** Files processed at once (default 1). */
  workers?: number;
  keepBackup?: boolean;
  signal?: AbortSignal;
  bus?: EventBus;
  freeBytes?: FreeBytesFn;
  mayReplace?: MayReplace;
  /** Process files even when their content already has a successful run under the same policy. */
  force?: boolean;
}

export interface BatchSummary {
  job: Job;
  files: number;
  succeeded: number;
  failed: number;
  interrupted: number;
  /** Files rewritten. */
  changed: number;
  /** Files the policy left as they were. */
  unchanged: number;
  /** Files never started (the batch was stopped). */
  not_started: number;
  /** Files skipped because their content already had a successful run under this policy (no run recorded). */
  already_processed: number;
  size_before: number;
  size_after: number;
  size_saved: number;
  outcomes: FileOutcome[];
  /** Files whose run could be stored neither in the database nor in the spool, with the error. */
  errors: { file: string; error: string }[];
}

function finishedEvent(jobId: string, file: string, index: number, total: number, outcome: FileOutcome | null, error: string | null) {
  const r = outcome?.record;
  return {
    job_id: jobId, file, index, total,
    run_id: r?.id ?? "", success: r?.success ?? false, status: r?.status ?? "failed", changed: outcome?.changed ?? false, path: outcome?.path ?? file,
    size_before: r?.size_before ?? null, size_after: r?.size_after ?? null, size_change: r?.size_change ?? null,
    total_changes: r?.total_changes ?? 0, duration_seconds: r?.duration_seconds ?? null, error: r?.error_message ?? error,
  };
}

/**
 * The successful run that already left `file` as it is now under the step's policy, if any: then
 * there is nothing to do, and a new run would only count the file twice. Files the hash cannot
 * read go through the lifecycle, which records why.
 */
export async function processedBefore(engine: Engine, step: RunStep, file: string): Promise<{ id: string; processed_at: string } | null> {
  if (!step.policyDigest) return null;
  const hash = await partialHash(file).catch(() => null);
  return hash ? findProcessedRun(engine.db, { policyDigest: step.policyDigest, hash }) : null;
}

/** Runs the job and closes it (see the module comment). */
export async function runJob(engine: Engine, o: JobOptions): Promise<BatchSummary> {
  // A name the record refuses would leave a file changed and its run unrecordable: refuse it first.
  const named = v.safeParse(fieldSchema("policy_name"), o.policyName);
  if (!named.success) {
    const shown = o.policyName.length > 80 ? `${JSON.stringify(o.policyName.slice(0, 80))}…` : JSON.stringify(o.policyName);
    throw new VpoError("INVALID_ARGUMENT", `Cannot record runs under the policy name ${shown}: ${named.issues[0].message}; nothing was changed`);
  }
  const total = o.files.length;
  const started = performance.now();
  const job = await createJob(engine.db, { type: o.type, policy_name: o.policyName, files_total: total }).catch((error: unknown) => {
    throw new VpoError("DB_ERROR", `Cannot start the ${o.type} job: the database refused it (${errorMessage(error)}); nothing was changed`, { cause: error });
  });
  // Every line logged while the job runs names it and this machine.
  return withContext({ job_id: job.id, node: engine.node ?? undefined }, () => runFiles(engine, o, job, started));
}

async function runFiles(engine: Engine, o: JobOptions, job: Job, started: number): Promise<BatchSummary> {
  const total = o.files.length;
  log.info("Job {job_id} started: {type} of {files} file(s) with {policy}, {workers} at a time", {
    job_id: job.id, type: o.type, files: total, policy: o.policyName, workers: Math.max(1, Math.min(o.workers ?? 1, total)),
  });
  o.bus?.emit("job.updated", { id: job.id, type: job.type, status: job.status, policy_name: o.policyName, files_total: total });
  const outcomes: FileOutcome[] = [];
  const errors: BatchSummary["errors"] = [];
  let alreadyProcessed = 0;
  let next = 0;
  let stopReason: string | null = null;

  const worker = async () => {
    while (next < total && !stopReason && !o.signal?.aborted) {
      const index = next++;
      const file = o.files[index]!;
      if (next < total) readAheadUnlessDone(o.files[next]!);
      await withContext({ file }, () => oneFile(index, file));
    }
  };
  // The next file is hashed and probed while this one runs, its ffprobe off the critical path;
  // not probed when it will be skipped as already processed (a rerun over a done library probes nothing).
  const readAheadUnlessDone = (file: string) =>
    (async () => {
      if (!o.force && (await processedBefore(engine, o.step, file))) return;
      readAhead(engine.probe, file);
    })().catch(() => {});
  const oneFile = async (index: number, file: string) => {
    // Per file: a worker's error never leaks into another file's event or count.
    o.bus?.emit("file.started", { job_id: job.id, file, index: index + 1, total });
    const earlier = o.force ? null : await processedBefore(engine, o.step, file);
    if (earlier) {
      alreadyProcessed++;
      log.info("Skipped {file}: already processed by this policy (run {earlier})", { file, earlier: earlier.id });
      o.bus?.emit("file.finished", {
        job_id: job.id, file, index: index + 1, total, run_id: earlier.id, success: true, status: "already_processed", changed: false, path: file,
        processed_at: earlier.processed_at, error: null,
      });
      return;
    }
    let outcome: FileOutcome | null = null;
    let error: string | null = null;
    try {
      outcome = await runLifecycle(engine, o.step, {
        file, policyName: o.policyName, jobId: job.id, keepBackup: o.keepBackup, signal: o.signal, freeBytes: o.freeBytes, mayReplace: o.mayReplace,
        onProgress: (p) => o.bus?.emit("file.progress", { job_id: job.id, file, percent: p.percent, speed: p.speed, fps: p.fps }),
      });
      if (outcome.stored.in === "spool") log.error("The database refused the run of {file}; it waits in the spool {spool}", { file, spool: engine.spoolPath });
      outcomes.push(outcome);
      if (outcome.stored.in === "spool") error = `the database refused the run (${outcome.stored.error}); it was saved to ${engine.spoolPath} and is stored at the next start`;
    } catch (e) {
      error = errorMessage(e);
      errors.push({ file, error });
      log.error("Could not record the run of {file}: {error}", { file, error });
    }
    o.bus?.emit("file.finished", finishedEvent(job.id, file, index + 1, total, outcome, error));
    const failed = !outcome || (!outcome.record.success && outcome.record.status !== "interrupted");
    if (error) stopReason ??= `Stopped after "${file}" (database error): ${error}`;
    else if (failed && o.stopOnFailure) stopReason ??= `Stopped after "${file}" failed (on_error: fail): ${outcome?.record.error_message}`;
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.workers ?? 1, total)) }, worker));

  const records = outcomes.map((x) => x.record);
  const sized = records.filter((r) => r.size_before !== null && r.size_after !== null);
  const summary: Omit<BatchSummary, "job" | "outcomes" | "errors"> = {
    files: total,
    succeeded: records.filter((r) => r.success).length,
    failed: records.filter((r) => r.status === "failed").length + errors.length,
    interrupted: records.filter((r) => r.status === "interrupted").length,
    changed: outcomes.filter((x) => x.changed).length,
    unchanged: outcomes.filter((x) => x.record.success && !x.changed).length,
    not_started: total - outcomes.length - errors.length - alreadyProcessed,
    already_processed: alreadyProcessed,
    size_before: sized.reduce((n, r) => n + r.size_before!, 0),
    size_after: sized.reduce((n, r) => n + r.size_after!, 0),
    size_saved: sized.reduce((n, r) => n + r.size_change!, 0),
  };
  const cancelled = o.signal?.aborted === true || summary.interrupted > 0;
  const status = cancelled ? "cancelled" : stopReason ? "failed" : "completed";
  const error = cancelled
    ? `Interrupted by ${String(o.signal?.reason ?? "a signal")} after ${outcomes.length} of ${total} file(s)`
    : stopReason ?? (summary.failed > 0 ? `${summary.failed} of ${total} file(s) failed` : null);
  // A database that refused the runs may refuse this too; that must not hide what happened to the files.
  const closed = await updateJob(engine.db, job.id, { status, files_total: total, files_affected: summary.changed, error, summary: { ...summary, run_ids: records.map((r) => r.id) } })
    .catch((e: unknown): Job => {
      log.error("Cannot close job {job_id}: {error}", { job_id: job.id, error: errorMessage(e) });
      return { ...job, status, error: `${error ?? "done"} (the job could not be closed in the database: ${errorMessage(e)})` };
    });
  trace("job closed");
  o.bus?.emit("job.updated", { id: job.id, type: job.type, status, error, ...summary });
  const seconds = Math.round(performance.now() - started) / 1000;
  const line = "Job {job_id} {status} in {seconds} s: {succeeded} succeeded, {failed} failed, {interrupted} interrupted, {changed} rewritten, {already} already processed, {not_started} not started";
  const props = { job_id: job.id, status, seconds, succeeded: summary.succeeded, failed: summary.failed, interrupted: summary.interrupted, changed: summary.changed, already: summary.already_processed, not_started: summary.not_started, error };
  if (status === "completed" && summary.failed === 0) log.info(line, props);
  else log.warn(`${line}: {error}`, props);
  return { job: closed, ...summary, outcomes, errors };
}

export interface ProcessJobOptions extends Omit<JobOptions, "type" | "policyName" | "step" | "stopOnFailure"> {
  policy: LoadedPolicy;
}

/** `vpo process`: the policy over `files`, as one `process` job. */
export function runProcessJob(engine: Engine, o: ProcessJobOptions): Promise<BatchSummary> {
  const { policy, ...rest } = o;
  return runJob(engine, { ...rest, type: "process", policyName: policy.name, step: policyStep(engine, policy), stopOnFailure: policy.policy.config.on_error === "fail" });
}

export interface CommandJobOptions extends Omit<JobOptions, "type" | "step" | "files" | "workers" | "stopOnFailure"> {
  file: string;
  /** Program and arguments; `{input}` and `{output}` are replaced in every argument. */
  command: readonly string[];
}

/** `vpo run`: a command on one file, as one `run` job. */
export function runCommandJob(engine: Engine, o: CommandJobOptions): Promise<BatchSummary> {
  const { file, command, ...rest } = o;
  return runJob(engine, { ...rest, type: "run", files: [file], step: commandStep(engine, command) });
}
