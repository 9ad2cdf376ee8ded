/**
 * Housekeeping every scan, process and run does first: record runs a killed vpo left
 * unfinished (and remove their temp files), and purge jobs past their retention.
 */
import { closeDeadJobs, type Db, isAlive, purgeExpiredJobs } from "../core/mod.ts";
import { type RecoveredRun, recoverInterruptedRuns } from "./in_flight.ts";
import type { Engine } from "./session.ts";

/** Default for `[jobs] retention_days`. */
export const DEFAULT_JOB_RETENTION_DAYS = 90;

export interface Housekeeping {
  recovered: RecoveredRun[];
  purgedJobs: number;
}

/** Recovers interrupted runs, then deletes finished jobs older than `retentionDays` (their runs stay). */
export async function startupHousekeeping(engine: Engine, db: Db, options: { retentionDays?: number } = {}): Promise<Housekeeping> {
  const recovered = await recoverInterruptedRuns(engine, db);
  await closeDeadJobs(db, isAlive);
  const { jobs } = await purgeExpiredJobs(db, options.retentionDays ?? DEFAULT_JOB_RETENTION_DAYS);
  return { recovered, purgedJobs: jobs };
}
