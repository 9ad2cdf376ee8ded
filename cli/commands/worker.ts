import { defineCommand } from "citty";
import { hostname } from "node:os";
import { registerNode } from "../../core/mod.ts";
import { openQueue, type Queue, recoverAbandonedRuns, runQueueWorker, type WorkerEvent } from "../../engine/mod.ts";
import pkg from "../../package.json" with { type: "json" };
import { type GlobalValues, globalArgs } from "../context.ts";
import { workerMonitoring } from "../worker_monitoring.ts";
import { type EngineSession, openEngineSession, reportRecovered } from "../engine_session.ts";
import { parseCountFlag } from "../count_flag.ts";
import { watchInterrupts } from "../interrupt.ts";
import { queueSettings, requirePostgres } from "../queue_session.ts";


/**
 * Something a worker runs beside its jobs (e.g. evaluating alert rules): started once the worker's
 * housekeeping is done, stopped after its last job. Returns how to stop it.
 */
export type WorkerService = (worker: { session: EngineSession; queue: Queue; args: GlobalValues }) => Promise<(() => Promise<void>) | void>;

/** Services every `vpo worker` starts; add to this list to run something on every worker. */
export const WORKER_SERVICES: WorkerService[] = [workerMonitoring];

/** One line per event for people, NDJSON with --json. */
function printEvent(e: WorkerEvent, json: boolean): void {
  if (json) return void process.stdout.write(`${JSON.stringify(e)}\n`);
  const job = (id: string, attempt: number) => `job ${id.slice(0, 8)}${attempt > 0 ? `, attempt ${attempt + 1}` : ""}`;
  switch (e.event) {
    case "worker.started":
      return void process.stdout.write(`waiting for jobs (node ${e.node}, ${e.concurrency} at a time)\n`);
    case "job.started":
      return void process.stdout.write(`started ${e.file} (${job(e.job_id, e.attempt)}, run ${e.run_id})\n`);
    case "job.finished": {
      const what = e.result.outcome === "already_processed" ? "already processed, skipped" : e.result.changed ? "done, file rewritten" : "done, nothing to change";
      return void process.stdout.write(`${what}: ${e.result.file} (${job(e.job_id, e.attempt)}, run ${e.result.run_id})\n`);
    }
    case "run.taken_over":
      return void process.stdout.write(`took over ${e.file} from node ${e.node ?? "?"}, which stopped sending heartbeats: its run ${e.run_id} is recorded as ${e.status}${e.removed_temp_files ? `, ${e.removed_temp_files} temp file(s) removed` : ""}\n`);
    case "job.failed":
      return void process.stdout.write(`failed (${job(e.job_id, e.attempt)}): ${e.error}\n`);
    case "worker.stopping":
      return void process.stdout.write(`stopping: no new jobs; ${e.active} file(s) in progress get ${e.timeout_seconds} s to finish, then go back to the queue (again: quit at once)\n`);
    case "worker.stopped":
      return void process.stdout.write(`stopped: ${e.processed} job(s) done, ${e.failed} failed${e.stopped_by_timeout ? "; files still running were stopped and went back to the queue" : ""}\n`);
  }
}

/**
 * A worker's whole life on this machine: the start-up housekeeping (done by openEngineSession:
 * this host's unfinished runs, the spool), runs abandoned by dead machines, the services, the
 * jobs until `signal`, then the services stopped. The one place a worker starts.
 */
export async function startWorker(session: EngineSession, queue: Queue, o: { concurrency: number; signal: AbortSignal; json: boolean; args: GlobalValues }) {
  const { ctx, engine, db } = session;
  reportRecovered({ ...(await recoverAbandonedRuns(engine, queue.settings.heartbeatSeconds * 1000)), purgedJobs: 0 }, o.json);
  const stops: (() => Promise<void>)[] = [];
  for (const service of WORKER_SERVICES) {
    const stop = await service({ session, queue, args: o.args });
    if (stop) stops.push(stop);
  }
  try {
    return await runQueueWorker(engine, queue, {
      concurrency: o.concurrency, signal: o.signal, keepBackup: ctx.config.processing.keep_backup ?? false,
      heartbeat: () => registerNode(db, ctx.node, pkg.version),
      onEvent: (e) => printEvent(e, o.json),
    });
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  }
}

export const workerCommand = defineCommand({
  meta: { name: "worker", description: "Process queued files on this machine (PostgreSQL queue shared by every machine) until stopped" },
  args: {
    concurrency: { type: "string", description: "Files processed at once (default [processing] workers, else 1)" },
    json: { type: "boolean", description: "NDJSON events (job.started, job.finished, job.failed, worker.stopping, worker.stopped)" },
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    const flag = parseCountFlag("--concurrency", args.concurrency);
    const url = requirePostgres(args, "vpo worker");
    const session = await openEngineSession(args, rawArgs, { json: args.json });
    const interrupts = watchInterrupts();
    try {
      const settings = queueSettings(session.ctx.config);
      const concurrency = flag ?? session.ctx.config.processing.workers ?? 1;
      const queue = await openQueue(url, settings, { supervise: true, name: `worker-${session.ctx.node.name}` });
      try {
        if (!args.json) {
          process.stdout.write(
            `vpo worker: node "${session.ctx.node.name}" (host ${hostname()}, pid ${process.pid}) takes jobs from ${session.database.location}, ${concurrency} at a time; ` +
            `SIGTERM lets current files finish for ${settings.stopTimeoutSeconds} s\n`,
          );
        }
        await startWorker(session, queue, { concurrency, signal: interrupts.signal, json: args.json === true, args });
      } finally {
        await queue.close();
      }
    } finally {
      interrupts.dispose();
      await session.close();
    }
  },
});
