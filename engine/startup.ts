/**
 * Housekeeping every scan, process and run does first: record the runs an earlier vpo left
 * unrecorded (the spool, markers of dead processes), and purge jobs past their retention.
 */
import { getLogger } from "@logtape/logtape";
import { closeDeadJobs, isAlive, purgeExpiredJobs } from "../core/mod.ts";
import { type Recovery, recoverUnfinishedRuns } from "./recovery.ts";
import type { Engine } from "./session.ts";

const log = getLogger(["vpo", "engine", "recovery"]);

/** Default for `[jobs] retention_days`. */
export const DEFAULT_JOB_RETENTION_DAYS = 90;

export interface Housekeeping extends Recovery {
  purgedJobs: number;
}

/** Recovers unfinished runs, closes jobs of dead processes, then deletes finished jobs older than `retentionDays` (their runs stay). */
export async function startupHousekeeping(engine: Engine, options: { retentionDays?: number } = {}): Promise<Housekeeping> {
  const started = performance.now();
  const recovery = await recoverUnfinishedRuns(engine);
  for (const r of recovery.recovered) {
    log.info("Recovered run {run_id} of {file} from the {from}: recorded as {status}{removed}", {
      run_id: r.record.id, file: r.record.file_path, from: r.from === "spool" ? "spool" : "in-flight marker of a dead process", status: r.record.status,
      removed: r.removedTempFiles.length ? `, ${r.removedTempFiles.length} temp file(s) removed` : "", job_id: r.record.job_id ?? undefined,
    });
  }
  for (const problem of recovery.problems) log.warn("Recovery: {problem}", { problem });
  const closed = await closeDeadJobs(engine.db, isAlive);
  for (const job of closed) log.info("Closed job {job_id} of a process that is gone", { job_id: job.id });
  const { jobs } = await purgeExpiredJobs(engine.db, options.retentionDays ?? DEFAULT_JOB_RETENTION_DAYS);
  if (jobs) log.info("Purged {jobs} finished job(s) past their retention", { jobs });
  log.debug("Start-up housekeeping took {seconds} s", { seconds: Math.round(performance.now() - started) / 1000 });
  return { ...recovery, purgedJobs: jobs };
}
