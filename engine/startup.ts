/**
 * Housekeeping every scan, process and run does first: record the runs an earlier vpo left
 * unrecorded (the spool, markers of dead processes), and purge jobs past their retention.
 */
import { closeDeadJobs, isAlive, purgeExpiredJobs } from "../core/mod.ts";
import { type Recovery, recoverUnfinishedRuns } from "./recovery.ts";
import type { Engine } from "./session.ts";

/** Default for `[jobs] retention_days`. */
export const DEFAULT_JOB_RETENTION_DAYS = 90;

export interface Housekeeping extends Recovery {
  purgedJobs: number;
}

/** Recovers unfinished runs, closes jobs of dead processes, then deletes finished jobs older than `retentionDays` (their runs stay). */
export async function startupHousekeeping(engine: Engine, options: { retentionDays?: number } = {}): Promise<Housekeeping> {
  const recovery = await recoverUnfinishedRuns(engine);
  await closeDeadJobs(engine.db, isAlive);
  const { jobs } = await purgeExpiredJobs(engine.db, options.retentionDays ?? DEFAULT_JOB_RETENTION_DAYS);
  return { ...recovery, purgedJobs: jobs };
}
