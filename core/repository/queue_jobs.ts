/**
 * Two reads of the job queue's state that pg-boss's API answers only from a cache its maintenance
 * refreshes once a pass (getQueues) or not at all (jobs by state): live counts per state, and the
 * jobs that failed for good. Read-only; every change of a job goes through pg-boss's API
 * (engine/queue/). The queue lives in pg-boss's schema of the same PostgreSQL database; a database
 * without it (SQLite, or no job queued yet) has no jobs.
 */
import { sql } from "kysely";
import * as v from "valibot";
import { type Db, dialectOf } from "../db/handle.ts";

/** The states a queue job passes through (pg-boss's job_state). */
export const QUEUE_JOB_STATES = ["created", "retry", "active", "completed", "cancelled", "failed"] as const;
export type QueueJobState = (typeof QUEUE_JOB_STATES)[number];

const count = v.pipe(v.number(), v.integer(), v.minValue(0));
export const QueueCountsSchema = v.object(Object.fromEntries(QUEUE_JOB_STATES.map((s) => [s, count])) as Record<QueueJobState, typeof count>);
export type QueueCounts = v.InferOutput<typeof QueueCountsSchema>;

/** Where the queue is: pg-boss's schema and the queue's name. */
export interface QueueRef {
  schema: string;
  name: string;
}

/** vpo's queue: pg-boss's schema and the queue's name in it (engine/queue/ creates it). */
export const VPO_QUEUE: QueueRef = { schema: "pgboss", name: "vpo-process" };

const jobTable = (q: QueueRef) => sql.table(`${q.schema}.job`);

/** Whether the queue exists here: PostgreSQL, with pg-boss installed (by the first `vpo enqueue` or `vpo worker`). */
async function hasQueue(db: Db, q: QueueRef): Promise<boolean> {
  if (dialectOf(db) !== "postgres") return false;
  const { rows } = await sql<{ t: string | null }>`select to_regclass(${`${q.schema}.job`})::text as t`.execute(db);
  return rows[0]?.t != null;
}

/** Jobs per state, now (0 for a state with none); with `library`, only jobs of that library. */
export async function countQueueJobs(db: Db, q: QueueRef, filter: { library?: string } = {}): Promise<QueueCounts> {
  const counts = Object.fromEntries(QUEUE_JOB_STATES.map((s) => [s, 0])) as QueueCounts;
  if (!(await hasQueue(db, q))) return counts;
  const library = filter.library === undefined ? sql`` : sql`and data->>'library' = ${filter.library}`;
  const { rows } = await sql<{ state: QueueJobState; n: number }>`
    select state::text as state, count(*)::int as n from ${jobTable(q)} where name = ${q.name} ${library} group by state`.execute(db);
  for (const r of rows) counts[r.state] = Number(r.n);
  return counts;
}

export const FailedQueueJobSchema = v.object({
  id: v.pipe(v.string(), v.description("Queue job id: give it to `vpo queue retry` or POST /api/queue/{id}/retry")),
  library: v.nullable(v.string()),
  path: v.nullable(v.string()),
  policy_name: v.nullable(v.string()),
  attempts: v.pipe(count, v.description("How many times it was tried")),
  error: v.pipe(v.nullable(v.string()), v.description("Why its last attempt failed")),
  failed_at: v.nullable(v.string()),
});
export interface FailedQueueJob extends v.InferOutput<typeof FailedQueueJobSchema> {}

/** The error message pg-boss stored on a failed job (a serialised Error, or whatever the handler threw). */
function errorOf(output: unknown): string | null {
  if (output === null || output === undefined) return null;
  if (typeof output === "string") return output;
  const message = (output as { message?: unknown }).message;
  return typeof message === "string" ? message : JSON.stringify(output);
}

/** Jobs that failed for good (retries used up), latest first; with `library`, only that library's. */
export async function listFailedQueueJobs(db: Db, q: QueueRef, filter: { library?: string; limit?: number } = {}): Promise<FailedQueueJob[]> {
  if (!(await hasQueue(db, q))) return [];
  const library = filter.library === undefined ? sql`` : sql`and data->>'library' = ${filter.library}`;
  const { rows } = await sql<{ id: string; data: Record<string, any> | null; output: unknown; retry_count: number; completed_on: Date | null }>`
    select id::text as id, data, output, retry_count, completed_on from ${jobTable(q)}
    where name = ${q.name} and state = 'failed' ${library}
    order by completed_on desc nulls last, id limit ${filter.limit ?? 100}`.execute(db);
  return rows.map((r) => ({
    id: r.id, library: r.data?.library ?? null, path: r.data?.path ?? null, policy_name: r.data?.policy?.name ?? null,
    attempts: Number(r.retry_count) + 1, error: errorOf(r.output), failed_at: r.completed_on ? new Date(r.completed_on).toISOString() : null,
  }));
}
