import { type RawBuilder, sql } from "kysely";
import type { Db } from "../db/open.ts";
import type { StatsDailyTable } from "../db/schema.ts";
import type { TimeRange } from "../time_filter.ts";
import { dailyFilter, isDayAligned, num, runFilter, splitRange, type TotalsSource } from "./_filters.ts";

/**
 * Totals over a set of runs, in stats_daily's own terms. Summary, policy stats and trends are all
 * derived from these, from either source, so the rollup and the scan cannot disagree by design.
 */

type RollupColumn = Exclude<keyof StatsDailyTable, "day" | "policy_name" | "first_at" | "last_at">;
export type Totals = Record<RollupColumn, number> & { first_at: string | null; last_at: string | null };

const sized = sql`size_before is not null and size_after is not null`;
const sumOf = (expr: RawBuilder<unknown>) => sql<number>`coalesce(sum(${expr}), 0)`;
const countWhen = (cond: RawBuilder<unknown>) => sql<number>`coalesce(sum(case when ${cond} then 1 else 0 end), 0)`;

/**
 * One run's contribution to each stats_daily column, as SQL over processing_stats. Mirrors
 * addToDaily in record.ts: sizes count only when both are known; null counts add nothing.
 * Key order is the column order used when purge re-inserts rollup rows.
 */
export const RUN_AGGREGATES = {
  runs: sql<number>`count(*)`,
  successes: sumOf(sql.ref("success")),
  size_before: sumOf(sql`case when ${sized} then size_before else 0 end`),
  size_after: sumOf(sql`case when ${sized} then size_after else 0 end`),
  size_saved: sumOf(sql`case when ${sized} then size_change else 0 end`),
  audio_removed: sumOf(sql.ref("audio_tracks_removed")),
  subtitles_removed: sumOf(sql.ref("subtitle_tracks_removed")),
  attachments_removed: sumOf(sql.ref("attachments_removed")),
  videos_transcoded: countWhen(sql`video_transcode_skipped = 0`),
  videos_skipped: countWhen(sql`video_transcode_skipped = 1`),
  audio_transcoded: sumOf(sql.ref("audio_tracks_transcoded")),
  hardware_encodes: countWhen(sql`encoder_type = ${"hardware"}`),
  software_encodes: countWhen(sql`encoder_type = ${"software"}`),
  duration_sum: sumOf(sql.ref("duration_seconds")),
  duration_count: sql<number>`count(duration_seconds)`,
  first_at: sql<string>`min(processed_at)`,
  last_at: sql<string>`max(processed_at)`,
} satisfies Record<Exclude<keyof StatsDailyTable, "day" | "policy_name">, RawBuilder<unknown>>;

export const ROLLUP_COLUMNS = Object.keys(RUN_AGGREGATES) as (keyof typeof RUN_AGGREGATES)[];
const SUM_COLUMNS = ROLLUP_COLUMNS.filter((c) => c !== "first_at" && c !== "last_at") as RollupColumn[];

/** The UTC day of a run, as stats_daily keys it (processed_at is stored as toISOString). */
export const RUN_DAY = sql<string>`substr(processed_at, 1, 10)`;

const ROLLUP_AGGREGATES = {
  ...Object.fromEntries(SUM_COLUMNS.map((c) => [c, sql<number>`coalesce(sum(${sql.ref(c)}), 0)`])),
  first_at: sql<string>`min(first_at)`,
  last_at: sql<string>`max(last_at)`,
} as Record<keyof typeof RUN_AGGREGATES, RawBuilder<unknown>>;

const aliased = (aggregates: Record<string, RawBuilder<unknown>>) => Object.entries(aggregates).map(([name, e]) => e.as(name));

export interface TotalsQuery {
  range: TimeRange;
  policy?: string;
  /** "all" yields exactly one row (zeros over no runs); "policy" and "day" one row per group. */
  group: "all" | "policy" | "day";
  source: TotalsSource;
}

/** Totals keyed by group ("" for "all"), ordered by key. `range` must be normalised. */
export async function queryTotals(db: Db, q: TotalsQuery): Promise<{ key: string; totals: Totals }[]> {
  if (q.source !== "auto") return queryPart(db, q.range, q.policy, q.group, q.source);
  const parts = splitRange(q.range);
  if (parts.length === 1) return queryPart(db, parts[0]!.range, q.policy, q.group, parts[0]!.source);
  const merged = new Map<string, Totals>();
  for (const part of parts) {
    for (const { key, totals } of await queryPart(db, part.range, q.policy, q.group, part.source)) {
      const seen = merged.get(key);
      merged.set(key, seen ? addTotals(seen, totals) : totals);
    }
  }
  return [...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, totals]) => ({ key, totals }));
}

async function queryPart(db: Db, range: TimeRange, policy: string | undefined, group: TotalsQuery["group"], source: "rollup" | "raw") {
  // stats_daily only knows whole days: a partial day would be silently widened.
  if (source === "rollup" && !isDayAligned(range)) throw new Error(`stats_daily cannot answer a window off UTC midnight: ${JSON.stringify(range)}`);
  const rows =
    source === "rollup"
      ? await db
          .selectFrom("stats_daily")
          .where(dailyFilter(range, policy))
          .select(aliased(ROLLUP_AGGREGATES))
          .select(groupKey(group, sql.ref("day")).as("key"))
          .$if(group !== "all", (qb) => qb.groupBy(groupKey(group, sql.ref("day"))).orderBy("key"))
          .execute()
      : await db
          .selectFrom("processing_stats")
          .where(runFilter(range, policy))
          .select(aliased(RUN_AGGREGATES))
          .select(groupKey(group, RUN_DAY).as("key"))
          .$if(group !== "all", (qb) => qb.groupBy(groupKey(group, RUN_DAY)).orderBy("key"))
          .execute();
  return (rows as Record<string, unknown>[]).map((row) => ({ key: String(row.key), totals: toTotals(row) }));
}

function groupKey(group: TotalsQuery["group"], day: RawBuilder<unknown>) {
  if (group === "policy") return sql<string>`policy_name`;
  if (group === "day") return sql<string>`${day}`;
  return sql<string>`''`;
}

function toTotals(row: Record<string, unknown>): Totals {
  const sums = Object.fromEntries(SUM_COLUMNS.map((c) => [c, num(row[c])])) as Record<RollupColumn, number>;
  return { ...sums, first_at: (row.first_at as string | null) ?? null, last_at: (row.last_at as string | null) ?? null };
}

/** Adds b into a (for bucketing days into weeks and months). */
export function addTotals(a: Totals, b: Totals): Totals {
  const sums = Object.fromEntries(SUM_COLUMNS.map((c) => [c, a[c] + b[c]])) as Record<RollupColumn, number>;
  const instants = [a.first_at, a.last_at, b.first_at, b.last_at].filter((x) => x !== null).sort();
  return { ...sums, first_at: instants[0] ?? null, last_at: instants.at(-1) ?? null };
}

/** Saved bytes as a percentage of the bytes before, 0 when nothing was measured. */
export const savingsPercent = (t: Totals): number => (t.size_before === 0 ? 0 : (t.size_saved / t.size_before) * 100);
