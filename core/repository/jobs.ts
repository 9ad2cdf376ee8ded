import { hostname } from "node:os";
import { getLogger } from "@logtape/logtape";
import * as v from "valibot";
import type { Db } from "../db/handle.ts";
import type { JobsTable } from "../db/schema.ts";
import { VpoError } from "../errors.ts";
import type { TimeRange } from "../time_filter.ts";
import { MIN_PREFIX_LENGTH } from "./run_id.ts";
import { shortestUniquePrefixes } from "./_short_ids.ts";

const log = getLogger(["vpo", "jobs"]);
const DAY_MS = 86_400_000;
/** Short ids in listings are at least this long, and longer where needed to stay unique. */
const MAX_CANDIDATES = 10;

export const JOB_TYPES = ["scan", "process", "run", "import"] as const;
export const JOB_STATUSES = ["queued", "running", "completed", "failed", "cancelled", "interrupted"] as const;
export type JobType = (typeof JOB_TYPES)[number];
export type JobStatus = (typeof JOB_STATUSES)[number];

export const JobSchema = v.object({
  id: v.string(),
  type: v.picklist(JOB_TYPES),
  status: v.picklist(JOB_STATUSES),
  created_at: v.string(),
  started_at: v.nullable(v.string()),
  completed_at: v.nullable(v.string()),
  policy_name: v.nullable(v.string()),
  summary: v.nullable(v.unknown()),
  files_total: v.nullable(v.number()),
  files_affected: v.nullable(v.number()),
  error: v.nullable(v.string()),
  host: v.nullable(v.string()),
  pid: v.nullable(v.number()),
  node: v.nullable(v.string()),
});
export type Job = v.InferOutput<typeof JobSchema>;

export const JobRunTotalsSchema = v.object({ count: v.number(), successes: v.number(), failures: v.number(), size_saved: v.number() });
export const JobDetailSchema = v.object({ ...JobSchema.entries, runs: JobRunTotalsSchema });
export type JobDetail = v.InferOutput<typeof JobDetailSchema>;

function toJob(row: JobsTable): Job {
  return { ...row, summary: row.summary == null ? null : JSON.parse(row.summary) };
}

/** Starts a job row (status running unless told otherwise), owned by this process. */
export async function createJob(
  db: Db,
  input: { type: JobType; policy_name?: string | null; files_total?: number | null; status?: JobStatus; node?: string | null },
): Promise<Job> {
  const now = new Date().toISOString();
  const row: JobsTable = {
    id: Bun.randomUUIDv7(),
    type: input.type,
    status: input.status ?? "running",
    created_at: now,
    started_at: input.status === "queued" ? null : now,
    completed_at: null,
    policy_name: input.policy_name ?? null,
    summary: null,
    files_total: input.files_total ?? null,
    files_affected: null,
    error: null,
    host: hostname(),
    pid: process.pid,
    node: input.node ?? null,
  };
  await db.insertInto("jobs").values(row).execute();
  return toJob(row);
}

const FINAL: readonly JobStatus[] = ["completed", "failed", "cancelled", "interrupted"];

/** Updates a job; a final status (completed, failed, cancelled, interrupted) stamps completed_at. */
export async function updateJob(
  db: Db,
  id: string,
  patch: Partial<{ status: JobStatus; summary: unknown; files_total: number; files_affected: number; error: string | null }>,
): Promise<Job> {
  const { summary, ...rest } = patch;
  const final = patch.status !== undefined && FINAL.includes(patch.status);
  await db
    .updateTable("jobs")
    .set({
      ...rest,
      ...(summary === undefined ? {} : { summary: JSON.stringify(summary) }),
      ...(final ? { completed_at: new Date().toISOString() } : {}),
    })
    .where("id", "=", id)
    .execute();
  return toJob(await db.selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirstOrThrow());
}

/** Jobs newest first, filtered by status, type and creation time. */
export async function listJobs(
  db: Db,
  filter: { status?: JobStatus; type?: JobType; limit?: number } & Pick<TimeRange, "since"> = {},
): Promise<Job[]> {
  let query = db.selectFrom("jobs").selectAll();
  if (filter.status) query = query.where("status", "=", filter.status);
  if (filter.type) query = query.where("type", "=", filter.type);
  if (filter.since) query = query.where("created_at", ">=", filter.since);
  const rows = await query.orderBy("created_at", "desc").orderBy("id", "desc").limit(filter.limit ?? 50).execute();
  return rows.map(toJob);
}

/** One job by id or unique prefix (≥ 4 characters), with totals of the runs it recorded. */
export async function getJob(db: Db, idOrPrefix: string): Promise<JobDetail> {
  const prefix = idOrPrefix.trim();
  if (prefix.length < MIN_PREFIX_LENGTH) {
    throw new VpoError("INVALID_ARGUMENT", `Job id "${idOrPrefix}" is too short: give the full id or at least ${MIN_PREFIX_LENGTH} characters of it`);
  }
  if (!/^[0-9a-f-]+$/i.test(prefix)) throw new VpoError("NOT_FOUND", `No job with id "${prefix.replace(/[\0-\x1f]/g, "?")}"`);
  const matches = await db.selectFrom("jobs").selectAll().where("id", ">=", prefix).where("id", "<", `${prefix}\uffff`).orderBy("id").limit(MAX_CANDIDATES + 1).execute();
  const exact = matches.find((m) => m.id === prefix);
  if (!exact && matches.length === 0) throw new VpoError("NOT_FOUND", `No job with id "${prefix}"`);
  if (!exact && matches.length > 1) {
    const candidates = matches.slice(0, MAX_CANDIDATES);
    const list = candidates.map((m) => `  ${m.id}  ${m.type}  ${m.status}  ${m.created_at}`).join("\n");
    const more = matches.length > MAX_CANDIDATES ? "\n  … and more; give a longer prefix" : "";
    throw new VpoError("AMBIGUOUS_ID", `Job id "${prefix}" is ambiguous; it matches:\n${list}${more}`, { details: candidates.map((m) => m.id) });
  }
  const job = exact ?? matches[0]!;
  const totals = await db
    .selectFrom("processing_stats")
    .where("job_id", "=", job.id)
    .select((eb) => [
      eb.fn.countAll<number>().as("count"),
      eb.fn.coalesce(eb.fn.sum<number>("success"), eb.lit(0)).as("successes"),
      eb.fn.coalesce(eb.fn.sum<number>("size_change"), eb.lit(0)).as("size_saved"),
    ])
    .executeTakeFirstOrThrow();
  const count = Number(totals.count);
  const successes = Number(totals.successes);
  return { ...toJob(job), runs: { count, successes, failures: count - successes, size_saved: Number(totals.size_saved) } };
}

/**
 * Closes as `interrupted` the running jobs of this host whose process is gone (killed, crashed):
 * a job must never stay `running` for good. Returns the jobs closed.
 */
export async function closeDeadJobs(db: Db, isAlive: (pid: number) => boolean): Promise<Job[]> {
  const running = await db.selectFrom("jobs").selectAll().where("status", "=", "running").where("host", "=", hostname()).execute();
  const closed: Job[] = [];
  for (const job of running) {
    if (job.pid === null || job.pid === process.pid || isAlive(job.pid)) continue;
    const error = `Interrupted: its process (pid ${job.pid}) ended without closing it — killed or crashed; found at ${new Date().toISOString()}`;
    const result = await db
      .updateTable("jobs")
      .set({ status: "interrupted", error, completed_at: new Date().toISOString() })
      .where("id", "=", job.id)
      .where("status", "=", "running")
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) > 0) closed.push(toJob({ ...job, status: "interrupted", error }));
  }
  if (closed.length) log.info("Closed {count} job(s) left running by dead processes", { count: closed.length });
  return closed;
}

/**
 * Deletes finished jobs created before `before` (running and queued ones are kept); their runs
 * stay in processing_stats with the job id as history. `dryRun` only counts.
 */
export async function purgeJobs(db: Db, options: { before: string; dryRun?: boolean }): Promise<{ jobs: number }> {
  const unfinished = ["running", "queued"] as const;
  if (options.dryRun) {
    const { n } = await db
      .selectFrom("jobs")
      .where("created_at", "<", options.before)
      .where("status", "not in", unfinished)
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    return { jobs: Number(n) };
  }
  const result = await db.deleteFrom("jobs").where("created_at", "<", options.before).where("status", "not in", unfinished).executeTakeFirst();
  const jobs = Number(result.numDeletedRows);
  if (jobs > 0) log.info("Purged {jobs} jobs created before {before}", { jobs, before: options.before });
  return { jobs };
}

/**
 * The automatic purge at the start of scan/process: jobs older than `[jobs] retention_days`.
 *
 * @example await purgeExpiredJobs(db, ctx.config.jobs.retention_days ?? 90)
 */
export function purgeExpiredJobs(db: Db, retentionDays: number, now = new Date()): Promise<{ jobs: number }> {
  return purgeJobs(db, { before: new Date(now.getTime() - retentionDays * DAY_MS).toISOString() });
}

/**
 * The shortest prefix of each id that no other job shares (at least 8 characters), so a
 * listing shows handles `getJob` accepts (see _short_ids.ts).
 */
export function shortJobIds(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  return shortestUniquePrefixes(db, "jobs", ids);
}
