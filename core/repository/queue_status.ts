import * as v from "valibot";
import type { Db } from "../db/handle.ts";
import { InProgressSchema, listInProgress } from "./in_progress.ts";
import { countQueueJobs, FailedQueueJobSchema, listFailedQueueJobs, QueueCountsSchema, type QueueRef } from "./queue_jobs.ts";

/** The queue as `vpo queue` and GET /api/queue show it. */
export const QueueStatusSchema = v.object({
  counts: v.pipe(QueueCountsSchema, v.description("Jobs per state now: created (waiting), retry (waiting to be tried again), active, completed, cancelled, failed")),
  in_progress: v.pipe(v.array(InProgressSchema), v.description("Files being processed now, on every node")),
  failed: v.pipe(v.array(FailedQueueJobSchema), v.description("Jobs that failed for good, latest first")),
});
export interface QueueStatus extends v.InferOutput<typeof QueueStatusSchema> {}

/**
 * Counts, files in progress and failed jobs, of one node and/or library when asked (a node
 * narrows only the files in progress: a waiting or failed job belongs to no machine).
 */
export async function getQueueStatus(db: Db, q: QueueRef, filter: { node?: string; library?: string; failedLimit?: number } = {}): Promise<QueueStatus> {
  const [counts, in_progress, failed] = await Promise.all([
    countQueueJobs(db, q, { library: filter.library }),
    listInProgress(db, filter),
    listFailedQueueJobs(db, q, { library: filter.library, limit: filter.failedLimit }),
  ]);
  return { counts, in_progress, failed };
}
