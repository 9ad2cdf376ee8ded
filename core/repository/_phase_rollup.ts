import { type RawBuilder, sql } from "kysely";
import type { Read } from "../db/read_together.ts";
import type { Db } from "../db/handle.ts";
import type { PhaseRollupTable } from "../db/schema.ts";
import type { TimeRange } from "../time_filter.ts";
import {
  HOUR_OF_RUN, hourOf, normalizeRange, num, type Part, planParts, rollupConditions, rollupFilter, RUN_KEY, runConditions, runFilter, type RunScope, shapeOf, tierTable, type TierSource, valuesOf,
} from "./_filters.ts";
import { mergeValue, type RollupShape } from "./_rollup_tiers.ts";
import { type AnySelect, Batch, type BatchSelect } from "./_union.ts";
import { readPlannedParts } from "./_planned_reads.ts";

/**
 * phase_rollup: the phase timings of the runs per (key, phase), in the three tiers like the other
 * rollups, so the phases view and the nodes' mean encoding speed cost the same at ten thousand
 * runs as at ten million. Each column is defined once, as an aggregate over performance_metrics
 * joined to its run, and serves the fold, the rebuild and the partial edge hours alike.
 */

export type PhaseColumn = Exclude<keyof PhaseRollupTable, "day" | "policy_name" | "library" | "node" | "phase_name">;
const KEYS = Object.keys(RUN_KEY) as (keyof typeof RUN_KEY)[];

const timed = sql`performance_metrics.wall_time_seconds is not null`;
const fps = sql.ref("performance_metrics.encoding_fps");
const wall = sql.ref("performance_metrics.wall_time_seconds");

/** Each column as an aggregate over performance_metrics ⨝ processing_stats rows. */
const PHASE_CONTRIBUTIONS: Record<PhaseColumn, RawBuilder<number | null>> = {
  // Phases with a wall time: how many, how long in all, the longest; of those, the ones that reported a speed.
  runs: sql`count(${wall})`,
  total_seconds: sql`coalesce(sum(${wall}), 0)`,
  max_seconds: sql`max(${wall})`,
  fps_count: sql`count(case when ${timed} then ${fps} end)`,
  fps_sum: sql`coalesce(sum(case when ${timed} then ${fps} end), 0)`,
  // Any phase of a successful run that reported a speed: a node's mean encoding speed.
  ok_fps_count: sql`count(case when processing_stats.success = 1 then ${fps} end)`,
  ok_fps_sum: sql`coalesce(sum(case when processing_stats.success = 1 then ${fps} end), 0)`,
};
const COLUMNS = Object.keys(PHASE_CONTRIBUTIONS) as PhaseColumn[];

export const PHASE_ROLLUP: RollupShape = {
  table: "phase_rollup",
  keys: ["phase_name"],
  merge: Object.fromEntries(COLUMNS.map((c) => [c, c === "max_seconds" ? "max" : "sum"])),
  contributions: (db, where, tier) =>
    db
      .selectFrom("performance_metrics")
      .innerJoin("processing_stats", "processing_stats.id", "performance_metrics.stats_id")
      .where(where)
      .select([...KEYS.map((k) => tier.key[k].as(k)), "performance_metrics.phase_name", ...COLUMNS.map((c) => PHASE_CONTRIBUTIONS[c].as(c))])
      .groupBy([...KEYS.map((k) => tier.key[k]), "performance_metrics.phase_name"]),
};

/** Each column as its aggregate over rows of any tier (as tierAggregates, unnamed: a Batch names them). */
const TIER_VALUES = Object.fromEntries(Object.entries(PHASE_ROLLUP.merge).map(([c, how]) => [c, sql`${sql.raw(how)}(${sql.ref(c)})`]));

/** The columns not summed, as read. */
const UNREAD = Object.fromEntries(COLUMNS.map((c) => [c, 0]));

/** Phase totals of one group (a phase name or a node). */
export type PhaseTotals = { key: string } & Record<PhaseColumn, number>;

/**
 * Phase totals over a window and scope, one row per phase name or per node ("" for none): whole
 * months, days and hours from the tiers, the partial edge hours from the runs (planParts; a maximum
 * cannot be subtracted, so edges are not complemented); an edge day before the details' retention
 * horizon has no phases left and is answered whole. `source: "raw"` reads the runs alone, for the tests
 * that both agree.
 */
export async function phaseTotals(db: Db, filter: RunScope & TimeRange, group: "phase" | "node", source: "auto" | "raw" = "auto"): Promise<PhaseTotals[]> {
  return (await phaseTotalsWith(db, filter, group, [], source)).totals;
}

/**
 * phaseTotals, and the rows of `alongside` (other reads of the view) read in the same round trip;
 * only `columns` are summed (the others read 0).
 */
export async function phaseTotalsWith(
  db: Db,
  filter: RunScope & TimeRange,
  group: "phase" | "node",
  alongside: readonly Read[],
  source: "auto" | "raw" = "auto",
  columns: readonly PhaseColumn[] = COLUMNS,
): Promise<{ totals: PhaseTotals[]; alongside: Record<string, unknown>[][] }> {
  const range = normalizeRange(filter);
  const scope = { policy: filter.policy, library: filter.library, node: filter.node };
  const select = (part: Part): BatchSelect => {
    if (part.source === "raw") {
      const conditions = runConditions(part.range, scope);
      const hour = hourOf(part.range);
      return {
        shape: `phase totals of the runs by ${group} where ${shapeOf(conditions)}${hour === null ? "" : " in one hour"}`,
        values: [...valuesOf(conditions), ...(hour === null ? [] : [hour])],
        build: () => {
          const key = group === "phase" ? sql<string>`performance_metrics.phase_name` : RUN_KEY.node;
          const runs = db
            .selectFrom("performance_metrics")
            .innerJoin("processing_stats", "processing_stats.id", "performance_metrics.stats_id")
            .where(runFilter(part.range, scope))
            .$if(hour !== null, (qb) => qb.where(HOUR_OF_RUN, "=", hour!))
            .groupBy(key);
          return [runs as AnySelect, { key, values: PHASE_CONTRIBUTIONS }];
        },
      };
    }
    const table = tierTable("phase_rollup", part.source as TierSource, scope, group === "node");
    const conditions = rollupConditions(part.range, scope, table);
    return {
      shape: `phase totals of ${table} by ${group} where ${shapeOf(conditions)}`,
      values: valuesOf(conditions),
      build: () => {
        const key = sql<string>`${sql.ref(group === "phase" ? "phase_name" : "node")}`;
        return [db.selectFrom(table).where(rollupFilter(part.range, scope, table)).groupBy(key) as AnySelect, { key, values: TIER_VALUES }];
      },
    };
  };
  // Every part in one statement (a UNION ALL, see Batch), planned once for any window (genericPlan)
  // when each part of the runs is inside one hour (hourOf: then its generic plan joins each run);
  // else (the tests' whole scans) planned for its values.
  const batches = new Map<Part[], Batch>();
  const statementOf = (parts: Part[]): Read[] => {
    const batch = new Batch(db, columns, parts.every((part) => part.source !== "raw" || hourOf(part.range) !== null));
    for (const part of parts) batch.add(select(part));
    batches.set(parts, batch);
    const statement = batch.statement();
    return statement === null ? [] : [statement];
  };
  const read =
    source === "auto"
      ? await readPlannedParts(db, "details", (horizon) => planParts(range, horizon, { complement: false }), statementOf, alongside)
      : await readPlannedParts(db, null, () => [{ range, source: "raw" }], statementOf, alongside);
  const partRows = batches.get(read.parts)!.byTag(read.rows[0] ?? []);
  const merged = new Map<string, PhaseTotals>();
  // Merged in order, so sums add up the same way every time.
  for (const rows of partRows) {
    for (const row of rows) {
      const key = String(row.key);
      const values = Object.fromEntries(columns.map((c) => [c, row[c] === null || row[c] === undefined ? null : num(row[c])]));
      const seen = merged.get(key);
      if (!seen) merged.set(key, { key, ...UNREAD, ...values } as PhaseTotals);
      else for (const c of columns) (seen as Record<string, unknown>)[c] = mergeValue(PHASE_ROLLUP.merge[c]!, seen[c], values[c]);
    }
  }
  return { totals: [...merged.values()], alongside: read.alongside };
}
