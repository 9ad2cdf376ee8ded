import { type Expression, type RawBuilder, type SqlBool, sql } from "kysely";
import type { Db } from "../db/handle.ts";
import type { PhaseRollupTable } from "../db/schema.ts";
import type { TimeRange } from "../time_filter.ts";
import { monthOf, normalizeRange, num, type Part, rollupFilter, RUN_KEY, runFilter, type RunScope, splitRange, tierTable, widenBeforeHorizon } from "./_filters.ts";
import type { Tier } from "./_rollup.ts";
import { retentionHorizon } from "./retention.ts";

/**
 * phase_rollup: the phase timings of the runs per (day, policy, library, node, phase), in the
 * daily and month tiers like the other rollups, so the phases view and the nodes' mean encoding
 * speed cost the same at ten thousand runs as at ten million. Each column is defined once, as an
 * aggregate over performance_metrics joined to its run, and serves the fold, the rebuild and the
 * partial edge days alike.
 */

type PhaseColumn = Exclude<keyof PhaseRollupTable, "day" | "policy_name" | "library" | "node" | "phase_name">;
const KEYS = Object.keys(RUN_KEY) as (keyof typeof RUN_KEY)[];

const timed = sql`performance_metrics.wall_time_seconds is not null`;
const fps = sql.ref("performance_metrics.encoding_fps");
const wall = sql.ref("performance_metrics.wall_time_seconds");

/** Each column as an aggregate over performance_metrics ⨝ processing_stats rows. */
const PHASE_CONTRIBUTIONS: Record<PhaseColumn, RawBuilder<number | null>> = {
  runs: sql`count(${wall})`,
  total_seconds: sql`coalesce(sum(${wall}), 0)`,
  max_seconds: sql`max(${wall})`,
  fps_count: sql`count(case when ${timed} then ${fps} end)`,
  fps_sum: sql`coalesce(sum(case when ${timed} then ${fps} end), 0)`,
  ok_fps_count: sql`count(case when processing_stats.success = 1 then ${fps} end)`,
  ok_fps_sum: sql`coalesce(sum(case when processing_stats.success = 1 then ${fps} end), 0)`,
};
const COLUMNS = Object.keys(PHASE_CONTRIBUTIONS) as PhaseColumn[];
const MAXED: PhaseColumn[] = ["max_seconds"];

/** Each column as an aggregate over rollup rows (of either tier). */
const ROLLUP_AGGREGATES = Object.fromEntries(COLUMNS.map((c) => [c, MAXED.includes(c) ? sql`max(${sql.ref(c)})` : sql`coalesce(sum(${sql.ref(c)}), 0)`])) as Record<
  PhaseColumn,
  RawBuilder<number | null>
>;

/** Adds the phases of the runs matching `where` (over processing_stats) to phase_rollup of `tier`. */
export async function foldIntoPhaseRollup(db: Db, where: Expression<SqlBool>, tier: Tier): Promise<void> {
  const table = `phase_rollup${tier.suffix}` as const;
  const stored = (c: string) => sql.ref(`${table}.${c}`);
  await db
    .insertInto(table)
    .columns([...KEYS, "phase_name", ...COLUMNS])
    .expression(
      db
        .selectFrom("performance_metrics")
        .innerJoin("processing_stats", "processing_stats.id", "performance_metrics.stats_id")
        .where(where)
        .select([...KEYS.map((k) => tier.key[k].as(k)), "performance_metrics.phase_name", ...COLUMNS.map((c) => PHASE_CONTRIBUTIONS[c].as(c))])
        .groupBy([...KEYS.map((k) => tier.key[k]), "performance_metrics.phase_name"]),
    )
    .onConflict((oc) =>
      oc.columns([...KEYS, "phase_name"]).doUpdateSet({
        ...Object.fromEntries(COLUMNS.filter((c) => !MAXED.includes(c)).map((c) => [c, sql`${stored(c)} + excluded.${sql.ref(c)}`])),
        max_seconds: sql`case when excluded.max_seconds is null then ${stored("max_seconds")} when ${stored("max_seconds")} is null or excluded.max_seconds > ${stored("max_seconds")} then excluded.max_seconds else ${stored("max_seconds")} end`,
      } as never),
    )
    .execute();
}

/** Deletes the daily phase rollup rows matching `keys` (over the shared key columns), or all. */
export async function clearPhaseRollup(db: Db, keys?: Expression<SqlBool>): Promise<void> {
  await db.deleteFrom("phase_rollup").$if(keys !== undefined, (qb) => qb.where(keys! as never)).execute();
}

const DAY_TO_MONTH = monthOf("day");

/** Recomputes the month rows matching `months` (whole months; all when undefined) from the daily rows. */
export async function derivePhaseMonths(db: Db, months?: (table: "phase_rollup" | "phase_rollup_month") => Expression<SqlBool>): Promise<void> {
  const all = sql<SqlBool>`1 = 1`;
  await db.deleteFrom("phase_rollup_month").where((months ? months("phase_rollup_month") : all) as never).execute();
  await db
    .insertInto("phase_rollup_month")
    .columns([...KEYS, "phase_name", ...COLUMNS])
    .expression(
      db
        .selectFrom("phase_rollup")
        .where((months ? months("phase_rollup") : all) as never)
        .select([DAY_TO_MONTH.as("day"), "policy_name", "library", "node", "phase_name", ...COLUMNS.map((c) => ROLLUP_AGGREGATES[c].as(c))])
        .groupBy([DAY_TO_MONTH, "policy_name", "library", "node", "phase_name"]),
    )
    .execute();
}

/** Phase totals of one group (a phase name or a node). */
export type PhaseTotals = { key: string } & Record<PhaseColumn, number>;

/**
 * Phase totals over a window and scope, one row per phase name or per node ("" for none): whole
 * months from the month tier, whole days from the daily rows, the partial edge days from the
 * runs (a maximum cannot be subtracted, so edges are not complemented); an edge day before the
 * details' retention horizon has no phases left and is answered whole. `source: "raw"` reads
 * the runs alone, for the tests that both agree.
 */
export async function phaseTotals(db: Db, filter: RunScope & TimeRange, group: "phase" | "node", source: "auto" | "raw" = "auto"): Promise<PhaseTotals[]> {
  const range = normalizeRange(filter);
  const scope = { policy: filter.policy, library: filter.library, node: filter.node };
  const read = (part: Part) => {
    if (part.source === "raw") {
      const key = group === "phase" ? sql<string>`performance_metrics.phase_name` : RUN_KEY.node;
      return db
        .selectFrom("performance_metrics")
        .innerJoin("processing_stats", "processing_stats.id", "performance_metrics.stats_id")
        .where(runFilter(part.range, scope))
        .select([key.as("key"), ...COLUMNS.map((c) => PHASE_CONTRIBUTIONS[c].as(c))])
        .groupBy(key)
        .execute();
    }
    const table = tierTable("phase_rollup", part.source as "rollup" | "month");
    const key = sql<string>`${sql.ref(group === "phase" ? "phase_name" : "node")}`;
    return db
      .selectFrom(table)
      .where(rollupFilter(part.range, scope, table))
      .select([key.as("key"), ...COLUMNS.map((c) => ROLLUP_AGGREGATES[c].as(c))])
      .groupBy(key)
      .execute();
  };
  let parts: Part[] = source === "auto" ? splitRange(range) : [{ range, source: "raw" }];
  if (source === "auto" && parts.some((p) => p.source === "raw")) {
    const horizon = await retentionHorizon(db, "details");
    if (horizon !== null) parts = widenBeforeHorizon(parts, horizon);
  }
  const merged = new Map<string, PhaseTotals>();
  // Independent reads (on PostgreSQL at once), merged in order so sums add up the same way every time.
  for (const rows of await Promise.all(parts.map(read))) {
    for (const row of rows as Record<string, unknown>[]) {
      const key = String(row.key);
      const seen = merged.get(key);
      const max = row.max_seconds === null || row.max_seconds === undefined ? null : Number(row.max_seconds);
      if (!seen) {
        merged.set(key, { key, ...(Object.fromEntries(COLUMNS.map((c) => [c, num(row[c])])) as Record<PhaseColumn, number>), max_seconds: max as number });
        continue;
      }
      for (const c of COLUMNS) if (!MAXED.includes(c)) seen[c] += num(row[c]);
      if (max !== null && (seen.max_seconds === null || max > seen.max_seconds)) seen.max_seconds = max;
    }
  }
  return [...merged.values()];
}
