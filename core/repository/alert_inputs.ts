/**
 * What alert rules look at: runs over a recent window grouped by the labels a rule groups by,
 * phase timings against their baseline, the latest run, the nodes. Read-only; every query is
 * bounded by a time window on an indexed column.
 */
import { type Expression, expressionBuilder, type SqlBool } from "kysely";
import type { Db } from "../db/handle.ts";
import type { Database } from "../db/schema.ts";

/** Label names as alert rules use them, and the processing_stats column of each. */
export const LABEL_COLUMNS = { policy: "policy_name", library: "library", node: "node" } as const;
export type AlertLabel = keyof typeof LABEL_COLUMNS;

/** Which runs a rule covers: each label, when given, must be one of the values. */
export type LabelFilter = Partial<Record<AlertLabel, readonly string[]>>;
/** A group's label values (only the labels grouped by; null when a run names none). */
export type LabelValues = Partial<Record<AlertLabel, string | null>>;

export interface WindowQuery {
  /** Runs processed at or after this instant (UTC ISO). */
  since: string;
  /** …and before this one (default: no bound). */
  until?: string;
  filter?: LabelFilter;
  groupBy?: readonly AlertLabel[];
}

function scope(q: WindowQuery): Expression<SqlBool> {
  const eb = expressionBuilder<Database, "processing_stats">();
  const parts: Expression<SqlBool>[] = [eb("processing_stats.processed_at", ">=", q.since)];
  if (q.until !== undefined) parts.push(eb("processing_stats.processed_at", "<", q.until));
  for (const [label, values] of Object.entries(q.filter ?? {}) as [AlertLabel, readonly string[]][]) {
    if (values?.length) parts.push(eb(`processing_stats.${LABEL_COLUMNS[label]}`, "in", [...values]));
  }
  return eb.and(parts);
}

const labelsOf = (row: Record<string, unknown>, groupBy: readonly AlertLabel[] = []): LabelValues =>
  Object.fromEntries(groupBy.map((l) => [l, (row[LABEL_COLUMNS[l]] as string | null) ?? null]));

/** A failed run as a notification names it. */
export interface FailedRun {
  id: string;
  file_path: string;
  policy_name: string;
  node: string | null;
  library: string | null;
  job_id: string | null;
  processed_at: string;
  error_message: string | null;
  failure_command: string | null;
  failure_output: string | null;
}

/** Failed runs in the window per group: how many, and the latest one. */
export async function failedRunGroups(db: Db, q: WindowQuery): Promise<{ labels: LabelValues; count: number; latest: FailedRun }[]> {
  const rows = await db
    .selectFrom("processing_stats")
    .select(["id", "file_path", "policy_name", "node", "library", "job_id", "processed_at", "error_message", "failure_command", "failure_output"])
    .where(scope(q))
    .where("status", "=", "failed")
    .orderBy("processed_at", "desc")
    .orderBy("id", "desc")
    .limit(10_000)
    .execute();
  const groups = new Map<string, { labels: LabelValues; count: number; latest: FailedRun }>();
  for (const row of rows) {
    const labels = labelsOf(row, q.groupBy);
    const key = JSON.stringify(labels);
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { labels, count: 1, latest: row });
  }
  return [...groups.values()];
}

/** Per group: runs that finished (successful or failed; interrupted ones left out), failures, and byte sums of successful runs with both sizes. */
export interface RunCounts {
  labels: LabelValues;
  finished: number;
  failed: number;
  /** Successful runs that know both sizes (the savings denominator). */
  sized: number;
  size_before: number;
  size_after: number;
}

export async function runCountGroups(db: Db, q: WindowQuery): Promise<RunCounts[]> {
  const columns = (q.groupBy ?? []).map((l) => LABEL_COLUMNS[l]);
  let query = db
    .selectFrom("processing_stats")
    .where(scope(q))
    .where("status", "in", ["success", "failed"])
    .select((eb) => [
      eb.fn.countAll<number>().as("finished"),
      eb.fn.sum<number>(eb.case().when("status", "=", "failed").then(1).else(0).end()).as("failed"),
      eb.fn.sum<number>(eb.case().when(eb.and([eb("status", "=", "success"), eb("size_before", "is not", null), eb("size_after", "is not", null)])).then(1).else(0).end()).as("sized"),
      eb.fn.sum<number>(eb.case().when(eb.and([eb("status", "=", "success"), eb("size_after", "is not", null)])).then(eb.ref("size_before")).else(0).end()).as("size_before"),
      eb.fn.sum<number>(eb.case().when(eb.and([eb("status", "=", "success"), eb("size_before", "is not", null)])).then(eb.ref("size_after")).else(0).end()).as("size_after"),
    ]);
  for (const column of columns) query = query.select(column).groupBy(column) as typeof query;
  const rows = (await query.execute()) as unknown as Record<string, unknown>[];
  return rows
    .filter((r) => Number(r.finished) > 0)
    .map((r) => ({
      labels: labelsOf(r, q.groupBy),
      finished: Number(r.finished),
      failed: Number(r.failed ?? 0),
      sized: Number(r.sized ?? 0),
      size_before: Number(r.size_before ?? 0),
      size_after: Number(r.size_after ?? 0),
    }));
}

/** Per group and phase: successful runs' phases that read something, their wall time, bytes read and mean fps. */
export interface PhaseTotals {
  labels: LabelValues;
  phase: string;
  runs: number;
  wall_time_seconds: number;
  bytes_read: number;
  /** Mean encoding fps over the phases that reported one; null when none did. */
  mean_fps: number | null;
}

export async function phaseTotals(db: Db, q: WindowQuery & { phase?: string }): Promise<PhaseTotals[]> {
  const columns = (q.groupBy ?? []).map((l) => `processing_stats.${LABEL_COLUMNS[l]}` as const);
  let query = db
    .selectFrom("performance_metrics")
    .innerJoin("processing_stats", "processing_stats.id", "performance_metrics.stats_id")
    .where(scope(q))
    .where("processing_stats.status", "=", "success")
    .where("performance_metrics.bytes_read", ">", 0)
    .where("performance_metrics.wall_time_seconds", "is not", null)
    .select((eb) => [
      "performance_metrics.phase_name as phase",
      eb.fn.countAll<number>().as("runs"),
      eb.fn.sum<number>("performance_metrics.wall_time_seconds").as("wall"),
      eb.fn.sum<number>("performance_metrics.bytes_read").as("bytes"),
      eb.fn.avg<number>(eb.case().when("performance_metrics.encoding_fps", ">", 0).then(eb.ref("performance_metrics.encoding_fps")).end()).as("fps"),
    ])
    .groupBy("performance_metrics.phase_name");
  if (q.phase !== undefined) query = query.where("performance_metrics.phase_name", "=", q.phase);
  for (const column of columns) query = query.select(column).groupBy(column) as typeof query;
  const rows = (await query.execute()) as unknown as Record<string, unknown>[];
  return rows.map((r) => ({
    labels: labelsOf(r, q.groupBy),
    phase: String(r.phase),
    runs: Number(r.runs),
    wall_time_seconds: Number(r.wall ?? 0),
    bytes_read: Number(r.bytes ?? 0),
    mean_fps: r.fps === null || r.fps === undefined ? null : Number(r.fps),
  }));
}

/** When the latest run matching the filter was processed (any outcome), or null. */
export async function latestRunAt(db: Db, filter: LabelFilter = {}): Promise<string | null> {
  const row = await db
    .selectFrom("processing_stats")
    .where(scope({ since: "0000", filter }))
    .select((eb) => eb.fn.max("processed_at").as("latest"))
    .executeTakeFirst();
  return (row?.latest as string | null | undefined) ?? null;
}
