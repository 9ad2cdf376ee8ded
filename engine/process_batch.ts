/**
 * Processing a batch of files as one `process` job: N workers, on_error honoured (skip and
 * continue go on, fail stops starting new files), SIGINT/SIGTERM stop the batch, and
 * file.started / file.progress / file.finished events on the bus for terminals and the server.
 */
import { createJob, type Db, errorMessage, type EventBus, type Job, updateJob } from "../core/mod.ts";
import type { FreeBytesFn } from "./disk_space.ts";
import { type FileOutcome, processFile } from "./process_file.ts";
import type { LoadedPolicy } from "./policy/load.ts";
import type { Engine } from "./session.ts";

export interface BatchOptions {
  files: readonly string[];
  policy: LoadedPolicy;
  /** Files processed at once (default 1). */
  workers?: number;
  keepBackup?: boolean;
  signal?: AbortSignal;
  bus?: EventBus;
  freeBytes?: FreeBytesFn;
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
  size_before: number;
  size_after: number;
  size_saved: number;
  outcomes: FileOutcome[];
}

/** A failure that happened outside any run (the database refused the record). */
function finishedEvent(jobId: string, file: string, index: number, total: number, outcome: FileOutcome | null, error: string | null) {
  const r = outcome?.record;
  return {
    job_id: jobId, file, index, total,
    run_id: r?.id ?? "", success: r?.success ?? false, status: r?.status ?? "failed", changed: outcome?.changed ?? false, path: outcome?.path ?? file,
    size_before: r?.size_before ?? null, size_after: r?.size_after ?? null, size_change: r?.size_change ?? null,
    total_changes: r?.total_changes ?? 0, duration_seconds: r?.duration_seconds ?? null, error: r?.error_message ?? error,
  };
}

/** Runs the batch and closes its job as completed, failed (on_error: fail tripped) or cancelled (interrupted). */
export async function runProcessJob(engine: Engine, db: Db, o: BatchOptions): Promise<BatchSummary> {
  const total = o.files.length;
  const job = await createJob(db, { type: "process", policy_name: o.policy.name, files_total: total });
  o.bus?.emit("job.updated", { id: job.id, type: job.type, status: job.status, policy_name: o.policy.name, files_total: total });
  const outcomes: FileOutcome[] = [];
  let next = 0;
  let stopReason: string | null = null;
  let dbError: string | null = null;

  const worker = async () => {
    while (next < total && !stopReason && !o.signal?.aborted) {
      const index = next++;
      const file = o.files[index]!;
      o.bus?.emit("file.started", { job_id: job.id, file, index: index + 1, total });
      let outcome: FileOutcome | null = null;
      try {
        outcome = await processFile(engine, db, {
          file, policy: o.policy, jobId: job.id, keepBackup: o.keepBackup, signal: o.signal, freeBytes: o.freeBytes,
          onProgress: (p) => o.bus?.emit("file.progress", { job_id: job.id, file, percent: p.percent, speed: p.speed, fps: p.fps }),
        });
        outcomes.push(outcome);
      } catch (error) {
        dbError = errorMessage(error);
      }
      o.bus?.emit("file.finished", finishedEvent(job.id, file, index + 1, total, outcome, dbError));
      const failed = !outcome || (!outcome.record.success && outcome.record.status !== "interrupted");
      if (failed && (o.policy.policy.config.on_error === "fail" || dbError)) {
        stopReason = `Stopped after "${file}" failed (on_error: ${dbError ? "database error" : "fail"}): ${outcome?.record.error_message ?? dbError}`;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.workers ?? 1, total)) }, worker));

  const records = outcomes.map((x) => x.record);
  const sized = records.filter((r) => r.size_before !== null && r.size_after !== null);
  const summary: Omit<BatchSummary, "job" | "outcomes"> = {
    files: total,
    succeeded: records.filter((r) => r.success).length,
    failed: records.filter((r) => r.status === "failed").length + (dbError ? 1 : 0),
    interrupted: records.filter((r) => r.status === "interrupted").length,
    changed: outcomes.filter((x) => x.changed).length,
    unchanged: outcomes.filter((x) => x.record.success && !x.changed).length,
    not_started: total - outcomes.length - (dbError ? 1 : 0),
    size_before: sized.reduce((n, r) => n + r.size_before!, 0),
    size_after: sized.reduce((n, r) => n + r.size_after!, 0),
    size_saved: sized.reduce((n, r) => n + r.size_change!, 0),
  };
  const cancelled = o.signal?.aborted === true || summary.interrupted > 0;
  const status = cancelled ? "cancelled" : stopReason ? "failed" : "completed";
  const error = cancelled
    ? `Interrupted by ${String(o.signal?.reason ?? "a signal")} after ${outcomes.length} of ${total} file(s)`
    : stopReason ?? (summary.failed > 0 ? `${summary.failed} of ${total} file(s) failed` : null);
  const closed = await updateJob(db, job.id, { status, files_total: total, files_affected: summary.changed, error, summary: { ...summary, run_ids: records.map((r) => r.id) } });
  o.bus?.emit("job.updated", { id: job.id, type: job.type, status, error, ...summary });
  return { job: closed, ...summary, outcomes };
}
