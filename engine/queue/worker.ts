/**
 * `vpo worker`: takes jobs off the queue, N at a time, and processes each (process_job.ts). The
 * lease of each job is renewed by pg-boss's heartbeat while it runs and checked once more right
 * before the original is replaced. Asked to stop, it takes no new job, lets the current ones
 * finish for up to `stopTimeoutSeconds`, then stops them: their runs are recorded as interrupted,
 * the originals untouched, and the jobs go back to the queue.
 */
import { existsSync } from "node:fs";
import { getLogger } from "@logtape/logtape";
import { errorMessage } from "../../core/mod.ts";
import { replaySpoolNow } from "../recovery.ts";
import type { Engine } from "../session.ts";
import type { Queue } from "./boss.ts";
import { type HeldJob, QUEUE_NAME } from "./job.ts";
import { type JobResult, processQueueJob } from "./process_job.ts";

const log = getLogger(["vpo", "queue"]);

/** How often the machine says it is alive (nodes.last_seen), for the nodes views. */
export const NODE_HEARTBEAT_MS = 10_000;

export type WorkerEvent =
  | { event: "worker.started"; node: string | null; pid: number; concurrency: number }
  | { event: "job.started"; job_id: string; attempt: number; file: string; run_id: string }
  | { event: "job.finished"; job_id: string; attempt: number; result: JobResult }
  | { event: "job.failed"; job_id: string; attempt: number; error: string }
  | { event: "run.taken_over"; job_id: string; run_id: string; node: string | null; status: string; file: string; removed_temp_files: number }
  | { event: "worker.stopping"; active: number; timeout_seconds: number }
  | { event: "worker.stopped"; processed: number; failed: number; stopped_by_timeout: boolean };

export interface WorkerOptions {
  /** Files processed at once. */
  concurrency: number;
  /** Aborted to stop the worker (SIGTERM, Ctrl-C). */
  signal: AbortSignal;
  keepBackup?: boolean;
  /** Records that this machine is alive (registerNode); called at once and then every NODE_HEARTBEAT_MS. */
  heartbeat(): Promise<void>;
  onEvent?(event: WorkerEvent): void;
}

/** Whether the worker still holds the attempt it was given: a heartbeat fenced to that attempt. */
export async function holdsLease(queue: Queue, job: HeldJob): Promise<boolean> {
  const touched = await queue.boss.touch(QUEUE_NAME, [{ id: job.id, retryCount: job.retryCount }]);
  return ((touched as { settled?: string[] }).settled ?? []).includes(job.id);
}

/** Runs the worker until `signal` stops it (see the module comment). */
export async function runQueueWorker(engine: Engine, queue: Queue, o: WorkerOptions): Promise<{ processed: number; failed: number }> {
  const emit = (event: WorkerEvent) => o.onEvent?.(event);
  const stopNow = new AbortController();
  const active = new Map<string, Promise<unknown>>();
  const busyRuns = new Set<string>();
  let processed = 0;
  let failed = 0;

  const beat = () => o.heartbeat().catch((error) => log.warn("Cannot record that this node is alive: {error}", { error: errorMessage(error) }));
  await beat();
  const heartbeat = setInterval(beat, NODE_HEARTBEAT_MS);

  const handle = async (job: HeldJob): Promise<JobResult> => {
    let runId: string | null = null;
    try {
      const result = await processQueueJob(engine, job, {
        stillOwned: () => holdsLease(queue, job),
        signal: stopNow.signal,
        staleAfterMs: queue.settings.heartbeatSeconds * 1000,
        keepBackup: o.keepBackup,
        onTakeover: (r) => emit({
          event: "run.taken_over", job_id: job.id, run_id: r.record.id, node: r.record.node ?? null, status: r.record.status, file: r.record.file_path, removed_temp_files: r.removedTempFiles.length,
        }),
        onStart(file, id) {
          runId = id;
          busyRuns.add(id);
          emit({ event: "job.started", job_id: job.id, attempt: job.retryCount, file, run_id: id });
        },
      });
      processed++;
      emit({ event: "job.finished", job_id: job.id, attempt: job.retryCount, result });
      return result;
    } catch (error) {
      failed++;
      emit({ event: "job.failed", job_id: job.id, attempt: job.retryCount, error: errorMessage(error) });
      throw error;
    } finally {
      if (runId) busyRuns.delete(runId);
      // Runs the database refused meanwhile wait in the spool: store them as soon as it answers again.
      if (existsSync(engine.spoolPath)) {
        const { problems } = await replaySpoolNow(engine, busyRuns).catch((e) => ({ problems: [errorMessage(e)] }));
        for (const problem of problems) log.warn("{problem}", { problem });
      }
    }
  };

  await queue.boss.work<unknown>(QUEUE_NAME, { localConcurrency: o.concurrency, batchSize: 1, pollingIntervalSeconds: 1 }, async ([job]) => {
    const run = handle(job as HeldJob);
    active.set(job!.id, run);
    try {
      return await run;
    } finally {
      active.delete(job!.id);
    }
  });

  emit({ event: "worker.started", node: engine.node, pid: process.pid, concurrency: o.concurrency });
  await new Promise<void>((resolve) => (o.signal.aborted ? resolve() : o.signal.addEventListener("abort", () => resolve(), { once: true })));
  const timeout = queue.settings.stopTimeoutSeconds;
  emit({ event: "worker.stopping", active: active.size, timeout_seconds: timeout });
  await queue.boss.offWork(QUEUE_NAME, { wait: false });
  const finished = await Promise.race([Promise.allSettled([...active.values()]).then(() => true), Bun.sleep(timeout * 1000).then(() => false)]);
  if (!finished) {
    stopNow.abort(`${String(o.signal.reason ?? "a stop request")} (files still running after ${timeout} s)`);
    await Promise.allSettled([...active.values()]);
  }
  clearInterval(heartbeat);
  emit({ event: "worker.stopped", processed, failed, stopped_by_timeout: !finished });
  return { processed, failed };
}
