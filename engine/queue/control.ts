/**
 * `vpo queue retry` and `vpo queue cancel` (and POST /api/queue/{id}/retry): changes of jobs,
 * all through pg-boss's API. A job is named by its id or a unique prefix of at least 8 characters.
 */
import { type Db, listFailedQueueJobs, listInProgress, VpoError } from "../../core/mod.ts";
import type { Queue } from "./boss.ts";
import { QUEUE_NAME } from "./job.ts";

const MIN_PREFIX = 8;

type Found = { id: string; state: string };

/** The job with this id, or the one failed, queued or running job whose id starts with it. */
async function findJob(queue: Queue, db: Db, idOrPrefix: string): Promise<Found> {
  const text = idOrPrefix.trim().toLowerCase();
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(text)) {
    const [job] = await queue.boss.findJobs(QUEUE_NAME, { id: text });
    if (job) return { id: job.id, state: job.state };
  } else if (text.length >= MIN_PREFIX && /^[0-9a-f-]+$/.test(text)) {
    // Prefixes are looked for among the jobs a person acts on: failed, running, waiting.
    const failed = (await listFailedQueueJobs(db, queue.ref, { limit: 10_000 })).map((j) => ({ id: j.id, state: "failed" }));
    const running = (await listInProgress(db)).flatMap((r) => (r.queue_job_id ? [{ id: r.queue_job_id, state: "active" }] : []));
    const waiting = (await queue.boss.findJobs(QUEUE_NAME, { queued: true, limit: 100_000 })).map((j) => ({ id: j.id, state: j.state }));
    const matches = [...failed, ...running, ...waiting].filter((j) => j.id.startsWith(text));
    const ids = new Set(matches.map((m) => m.id));
    if (ids.size === 1) return matches[0]!;
    if (ids.size > 1) throw new VpoError("AMBIGUOUS_ID", `Job id "${idOrPrefix}" is ambiguous; it matches ${[...ids].slice(0, 10).join(", ")}`);
  } else {
    throw new VpoError("INVALID_ARGUMENT", `Invalid job id "${idOrPrefix}": give the job's id (as vpo queue lists it) or at least ${MIN_PREFIX} characters of it`);
  }
  throw new VpoError("NOT_FOUND", `No job "${idOrPrefix}" in the queue`);
}

/** Sends failed jobs back to the queue (each gets one more try); returns the ids retried. */
export async function retryJobs(queue: Queue, db: Db, which: { id: string } | { allFailed: true }): Promise<string[]> {
  let ids: string[];
  if ("id" in which) {
    const job = await findJob(queue, db, which.id);
    if (job.state !== "failed") throw new VpoError("INVALID_ARGUMENT", `Job ${job.id} is ${job.state}, not failed: only a failed job can be retried`);
    ids = [job.id];
  } else {
    ids = (await listFailedQueueJobs(db, queue.ref, { limit: 100_000 })).map((j) => j.id);
  }
  if (ids.length === 0) return [];
  try {
    await queue.boss.retry(QUEUE_NAME, ids);
  } catch (error) {
    // The file was queued again meanwhile (one job per file): that job does the work.
    throw new VpoError("INVALID_ARGUMENT", `Cannot retry ${ids.length === 1 ? `job ${ids[0]}` : "the failed jobs"}: ${(error as Error).message} (is the file queued again already?)`);
  }
  return ids;
}

/**
 * Cancels a job — a waiting one is dropped, a running one stopped (its worker's lease ends, so it
 * never replaces the file), a failed one removed from the failed list — or every waiting and
 * running job of a policy. Returns the ids cancelled.
 */
export async function cancelJobs(queue: Queue, db: Db, which: { id: string } | { policy: string }): Promise<string[]> {
  if ("id" in which) {
    const job = await findJob(queue, db, which.id);
    if (job.state === "completed" || job.state === "cancelled") throw new VpoError("INVALID_ARGUMENT", `Job ${job.id} is ${job.state} already`);
    if (job.state === "failed") await queue.boss.deleteJob(QUEUE_NAME, job.id);
    else await queue.boss.cancel(QUEUE_NAME, job.id);
    return [job.id];
  }
  const ids = new Set<string>();
  let after: string | undefined;
  for (;;) {
    const page = await queue.boss.findJobs(QUEUE_NAME, { data: { policy: { name: which.policy } }, queued: true, limit: 1000, after });
    for (const j of page) ids.add(j.id);
    if (page.length < 1000) break;
    after = page.at(-1)!.id;
  }
  for (const r of await listInProgress(db)) if (r.queue_job_id && r.policy_name === which.policy) ids.add(r.queue_job_id);
  if (ids.size > 0) await queue.boss.cancel(QUEUE_NAME, [...ids]);
  return [...ids];
}
