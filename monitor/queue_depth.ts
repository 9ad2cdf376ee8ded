/**
 * Jobs waiting in the job queue (created or waiting for a retry): what the "queue stalled" rule
 * and /metrics' vpo_queue_depth read. Null where there is no queue (SQLite: vpo worker needs
 * PostgreSQL), so the rule says it cannot be evaluated rather than "0 queued".
 */
import { countQueueJobs, type Db, VPO_QUEUE } from "../core/mod.ts";
import { dialectOf } from "../core/db/handle.ts";

export async function queuedJobs(db: Db): Promise<number | null> {
  if (dialectOf(db) !== "postgres") return null;
  const counts = await countQueueJobs(db, VPO_QUEUE);
  return counts.created + counts.retry;
}
