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
 * Phase totals over a window and scope, one row per phase name or per node ("" for none) that
 * counted a phase (a key whose counts are all 0 is left out): whole months, days and hours from the
 * tiers, the partial edge hours and days as the whole unit less its shorter rest (planParts, see
 * subtractPhases); an edge day before the details' retention horizon has no phases left and is
 * answered whole. `source: "raw"` reads the runs alone, for the tests that both agree.
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
  // Every read in one statement (a UNION ALL, see Batch), planned once for any window (genericPlan)
  // when each read of the runs is inside one hour (hourOf: then its generic plan joins each run);
  // else (the tests' whole scans) planned for its values. A complement is read as its whole and its rest.
  const readsOf = (parts: Part[]): Part[] => parts.flatMap((part) => (part.source === "complement" ? [part.whole!, part.minus!] : [part]));
  const batchOf = (reads: Part[]): Batch => {
    const batch = new Batch(db, columns, reads.every((part) => part.source !== "raw" || hourOf(part.range) !== null));
    for (const part of reads) batch.add(select(part));
    return batch;
  };
  const batches = new Map<Part[], Batch>();
  const statementOf = (parts: Part[]): Read[] => {
    const batch = batchOf(readsOf(parts));
    batches.set(parts, batch);
    const statement = batch.statement();
    return statement === null ? [] : [statement];
  };
  const read =
    source === "auto"
      ? await readPlannedParts(db, "details", (horizon) => planParts(range, horizon, { complementMonths: false }), statementOf, alongside)
      : await readPlannedParts(db, null, () => [{ range, source: "raw" }], statementOf, alongside);
  const rowsRead = batches.get(read.parts)!.byTag(read.rows[0] ?? []).map((rows) => totalsOf(rows, columns));
  let next = 0;
  const answers = read.parts.map((part): Answer => {
    if (part.source !== "complement") return { totals: rowsRead[next++]! };
    const [whole, minus] = [rowsRead[next++]!, rowsRead[next++]!];
    return subtractPhases(whole, minus, columns) ?? { totals: new Map(), inexact: true };
  });
  // A longest phase a complement could not tell is no longer than its bound: when the phases known
  // for certain already reach it, it cannot be the window's longest, and the part is not read again.
  const known = mergeTotals(answers.filter((a) => !a.inexact).map((a) => a.totals), columns);
  const again = answers.flatMap((answer, i) => (answer.inexact || !settled(answer.longest, known) ? [i] : []));
  if (again.length > 0) {
    // The parts themselves, from where their rests were read.
    const rows = await batchOf(again.map((i) => ({ range: read.parts[i]!.range, source: read.parts[i]!.minus!.source }))).run();
    again.forEach((i, k) => (answers[i] = { totals: totalsOf(rows[k]!, columns) }));
  }
  const totals = [...mergeTotals(answers.map((a) => a.totals), columns).values()].filter((t) => COUNTS.some((c) => columns.includes(c) && t[c] > 0));
  return { totals, alongside: read.alongside };
}

/** The columns that count phases (each sum's count: SUM_OF). */
const COUNTS = ["runs", "fps_count", "ok_fps_count"] as const satisfies readonly PhaseColumn[];
/** Each summed column and the count of what it sums. */
const SUM_OF: Partial<Record<PhaseColumn, PhaseColumn>> = { total_seconds: "runs", fps_sum: "fps_count", ok_fps_sum: "ok_fps_count" };

/** What a part answered; `longest`: per key, the bound of a longest phase it could not tell. */
type Answer = { totals: Map<string, PhaseTotals>; inexact?: boolean; longest?: Map<string, number> };

/** Rows of one read as totals by key (columns not read are 0). */
function totalsOf(rows: readonly Record<string, unknown>[], columns: readonly PhaseColumn[]): Map<string, PhaseTotals> {
  const out = new Map<string, PhaseTotals>();
  for (const row of rows) {
    const values = Object.fromEntries(columns.map((c) => [c, row[c] === null || row[c] === undefined ? null : num(row[c])]));
    out.set(String(row.key), { key: String(row.key), ...UNREAD, ...values } as PhaseTotals);
  }
  return out;
}

/** Totals merged in order, so sums add up the same way every time. */
function mergeTotals(parts: readonly Map<string, PhaseTotals>[], columns: readonly PhaseColumn[]): Map<string, PhaseTotals> {
  const merged = new Map<string, PhaseTotals>();
  for (const part of parts) {
    for (const [key, values] of part) {
      const seen = merged.get(key);
      if (!seen) merged.set(key, { ...values });
      else for (const c of columns) (seen as Record<string, unknown>)[c] = mergeValue(PHASE_ROLLUP.merge[c]!, seen[c], values[c]);
    }
  }
  return merged;
}

/**
 * The totals of an hour (day) less those of the rest of it, or null where that cannot be told
 * exactly: counts subtract; a sum (of non-negative values) only while it keeps all but three of a
 * double's digits. A longest phase the rest also holds is not known — only that the part's is no
 * longer: it is left out (null) and its bound given in `longest`.
 */
function subtractPhases(whole: Map<string, PhaseTotals>, rest: Map<string, PhaseTotals>, columns: readonly PhaseColumn[]): Answer | null {
  const totals = new Map<string, PhaseTotals>();
  const longest = new Map<string, number>();
  for (const [key, w] of whole) {
    const m = rest.get(key);
    if (m === undefined) {
      totals.set(key, w);
      continue;
    }
    const left = { ...w } as unknown as Record<string, number | null>;
    for (const c of columns) {
      const count = SUM_OF[c];
      if (PHASE_ROLLUP.merge[c] === "sum" && count === undefined) left[c] = (w[c] ?? 0) - (m[c] ?? 0);
    }
    for (const [sum, count] of Object.entries(SUM_OF) as [PhaseColumn, PhaseColumn][]) {
      if (!columns.includes(sum)) continue;
      const value = (w[sum] ?? 0) - (m[sum] ?? 0);
      if (left[count] === 0) left[sum] = 0;
      else if (w[sum]! > 1e3 * Math.abs(value)) return null;
      else left[sum] = value;
    }
    if (columns.includes("max_seconds")) {
      if (left.runs === 0) left.max_seconds = null;
      else if (m.max_seconds !== null && m.max_seconds === w.max_seconds) {
        left.max_seconds = null;
        longest.set(key, w.max_seconds!);
      }
    }
    totals.set(key, left as unknown as PhaseTotals);
  }
  return { totals, longest };
}

/** True when no longest phase a part could not tell can be the window's: known ones reach its bound. */
function settled(longest: Map<string, number> | undefined, known: Map<string, PhaseTotals>): boolean {
  for (const [key, bound] of longest ?? []) {
    const max = known.get(key)?.max_seconds;
    if (max === null || max === undefined || max < bound) return false;
  }
  return true;
}
