import { sql } from "kysely";
import type { Db } from "../db/handle.ts";
import { compiledOnce } from "../db/compiled_once.ts";
import { genericPlan } from "../db/postgres/generic_plan.ts";
import { metricRows } from "./_metric_rows.ts";
import { HOUR_OF_RUN, hourOf, normalizeRange, num, type Part, planParts, rollupConditions, rollupFilter, runConditions, runFilter, shapeOf, tierTable, type TierSource, valuesOf } from "./_filters.ts";
import { readTogether } from "../db/read_together.ts";
import { readPlannedParts } from "./_planned_reads.ts";
import type { TimeRange } from "../time_filter.ts";
import type { MetricAggregate, MetricFilter } from "./views.ts";

interface Partial {
  num_count: number;
  text_count: number;
  sum: number;
  min: number | null;
  max: number | null;
}

const smaller = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
const larger = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));
const nullable = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/**
 * count / sum / avg / min / max of every plugin metric, one row per (plugin, key), sorted by
 * plugin then key; this is how a third-party plugin's metric gets aggregated with no schema
 * change. Numbers (booleans were stored as 1/0) are aggregated; a key that only ever held text
 * reports how many values it has, with null numbers. The window and scope apply to the run. Whole
 * months, days and hours come from metric_rollup (its month tier, daily rows and hour tier) and only
 * the partial edge hours from the runs; an edge day before the details retention horizon (its
 * metrics are gone) is answered whole.
 *
 * @example await getMetricAggregates(db, { plugin: "transcode", key: "fps", ...parseTimeRange({ since: "7d" }) })
 */
export function getMetricAggregates(db: Db, filter: MetricFilter = {}): Promise<MetricAggregate[]> {
  return metricsFrom(db, filter, "auto");
}

type Aggregate = { plugin: string; key: string } & Partial;
type Row = { plugin: string; key: string; num_count: unknown; text_count: unknown; sum: unknown; min: unknown; max: unknown };

/** Adds rows (of a rollup or a scan) into per-metric aggregates. */
function addInto(into: Map<string, Aggregate>, rows: Row[]): Map<string, Aggregate> {
  for (const row of rows) {
    const id = `${row.plugin}\0${row.key}`;
    const seen = into.get(id) ?? { plugin: row.plugin, key: row.key, num_count: 0, text_count: 0, sum: 0, min: null, max: null };
    seen.num_count += num(row.num_count);
    seen.text_count += num(row.text_count);
    seen.sum += num(row.sum);
    seen.min = smaller(seen.min, nullable(row.min));
    seen.max = larger(seen.max, nullable(row.max));
    into.set(id, seen);
  }
  return into;
}

/** Per metric, the bounds of the extremes a part could not tell: its smallest value is at least `min`, its largest at most `max`. */
type Unknown = Map<string, { min?: number; max?: number }>;

/**
 * The aggregates of an hour (day) less those of the rest of it, or null where that cannot be told
 * exactly: a sum is subtracted only while it keeps all but three of a double's digits. When the
 * rest holds the whole's smallest (or largest) value, the part's is not known — only that it is
 * no smaller (larger): it is left out (null) and its bound given in `unknown`.
 */
function subtract(day: Map<string, Aggregate>, taken: Map<string, Aggregate>): { rows: Aggregate[]; unknown: Unknown } | null {
  const rows: Aggregate[] = [];
  const unknown: Unknown = new Map();
  for (const [id, whole] of day) {
    const minus = taken.get(id);
    if (minus === undefined) {
      rows.push(whole);
      continue;
    }
    const left: Aggregate = { ...whole, num_count: whole.num_count - minus.num_count, text_count: whole.text_count - minus.text_count, sum: whole.sum - minus.sum };
    if (left.num_count === 0) {
      Object.assign(left, { sum: 0, min: null, max: null });
    } else if (minus.num_count > 0) {
      const magnitude = whole.num_count * Math.max(Math.abs(whole.min!), Math.abs(whole.max!));
      if (magnitude > 1e3 * Math.abs(left.sum)) return null;
      if (minus.min === whole.min || minus.max === whole.max) {
        unknown.set(id, { ...(minus.min === whole.min && { min: whole.min! }), ...(minus.max === whole.max && { max: whole.max! }) });
        if (minus.min === whole.min) left.min = null;
        if (minus.max === whole.max) left.max = null;
      }
    }
    if (left.num_count > 0 || left.text_count > 0) rows.push(left);
  }
  return { rows, unknown };
}

/**
 * True when an extreme a part could not tell cannot be the window's: the values known for certain
 * (`known`) already go as low as its bound (as high, for a largest value).
 */
function settled(unknown: Unknown, known: Map<string, Aggregate>): boolean {
  for (const [id, bound] of unknown) {
    const k = known.get(id);
    if (bound.min !== undefined && (k?.min === null || k?.min === undefined || k.min > bound.min)) return false;
    if (bound.max !== undefined && (k?.max === null || k?.max === undefined || k.max < bound.max)) return false;
  }
  return true;
}

/** getMetricAggregates with the source chosen; exported for the tests that all sources agree. */
export async function metricsFrom(db: Db, filter: MetricFilter, source: "auto" | "raw"): Promise<MetricAggregate[]> {
  const scope = { policy: filter.policy, library: filter.library, node: filter.node };
  // The plugin and key asked for, after the window's conditions (their order in the SQL).
  const named = [filter.plugin, filter.key].filter((v) => v !== undefined);
  const which = `${filter.plugin === undefined ? "" : " of a plugin"}${filter.key === undefined ? "" : " of a key"}`;
  const fromRollup = (range: TimeRange, tier: TierSource) => {
    const table = tierTable("metric_rollup", tier, scope, false);
    const conditions = rollupConditions(range, scope, table);
    const query = compiledOnce(db, `metrics of ${table} where ${shapeOf(conditions)}${which}`, [...valuesOf(conditions), ...named], () =>
      db
        .selectFrom(table)
        .where(rollupFilter(range, scope, table))
        .$if(filter.plugin !== undefined, (qb) => qb.where("plugin", "=", filter.plugin!))
        .$if(filter.key !== undefined, (qb) => qb.where("key", "=", filter.key!))
        .select([
          "plugin", "key", sql<number>`sum(num_count)`.as("num_count"), sql<number>`sum(text_count)`.as("text_count"),
          sql<number>`sum(num_sum)`.as("sum"), sql<number>`min(num_min)`.as("min"), sql<number>`max(num_max)`.as("max"),
        ])
        .groupBy(["plugin", "key"])
        .compile(),
    );
    // A tier's rows by a range of its key: the same plan for any window, planned once (generic_plan.ts).
    return genericPlan(db, query);
  };
  const fromRuns = (range: TimeRange) => {
    const conditions = runConditions(range, scope);
    const hour = hourOf(range);
    const shape = `metrics of the runs where ${shapeOf(conditions)}${hour === null ? "" : " in one hour"}${which}`;
    const query = compiledOnce(db, shape, [...valuesOf(conditions), ...(hour === null ? [] : [hour]), ...named], () =>
      db
        .selectFrom(metricRows(db))
        .innerJoin("processing_stats", "processing_stats.id", "plugin_metrics.stats_id")
        .where(runFilter(range, scope))
        .$if(hour !== null, (qb) => qb.where(HOUR_OF_RUN, "=", hour!))
        .$if(filter.plugin !== undefined, (qb) => qb.where("plugin_metrics.plugin", "=", filter.plugin!))
        .$if(filter.key !== undefined, (qb) => qb.where("plugin_metrics.key", "=", filter.key!))
        .select([
          "plugin_metrics.plugin", "plugin_metrics.key", sql<number>`count(plugin_metrics.num)`.as("num_count"), sql<number>`count(plugin_metrics.text)`.as("text_count"),
          sql<number>`coalesce(sum(plugin_metrics.num), 0)`.as("sum"), sql<number>`min(plugin_metrics.num)`.as("min"), sql<number>`max(plugin_metrics.num)`.as("max"),
        ])
        .groupBy(["plugin_metrics.plugin", "plugin_metrics.key"])
        .compile(),
    );
    // Inside one hour, planned once like the tiers (hourOf); else (the tests' whole scans) for its values.
    return hour === null ? query : genericPlan(db, query);
  };
  const merged = new Map<string, Aggregate>();
  const range = normalizeRange(filter);
  const select = (part: Part) => (part.source === "raw" ? fromRuns(part.range) : fromRollup(part.range, part.source as TierSource));
  // Edge months stay days: a month's smallest and largest values recur on many days of dense
  // history, so a month less its other days would mostly fall back to reading the days anyway.
  // Where an hour (day) less its rest cannot tell min or max, the fallback reads at most an hour of runs (a day's hour rows).
  // A complement is read as its whole and its rest; else the part itself, from where its rest was read.
  const reads = (parts: Part[]) => parts.flatMap((part) => (part.source === "complement" ? [select(part.whole!), select(part.minus!)] : [select(part)]));
  const partItself = (part: Part) => select({ range: part.range, source: part.minus!.source });
  // The parts are independent (on PostgreSQL read in one round trip); merged in order, so sums add up the same way every time.
  const read =
    source === "auto"
      ? await readPlannedParts(db, "details", (horizon) => planParts(range, horizon, { complementMonths: false }), reads)
      : await readPlannedParts(db, null, () => [{ range, source: "raw" }], reads);
  const parts = read.parts;
  const rowsRead = read.rows as Row[][];
  let next = 0;
  const answers = parts.map((part): { rows: Row[]; unknown?: Unknown; inexact?: boolean } => {
    if (part.source !== "complement") return { rows: rowsRead[next++]! };
    const [whole, minus] = [rowsRead[next++]!, rowsRead[next++]!];
    return subtract(addInto(new Map(), whole), addInto(new Map(), minus)) ?? { rows: [], inexact: true };
  });
  // Complements that could not be subtracted exactly: the parts themselves, read together.
  await readAgain(answers.map((answer, i) => (answer.inexact ? i : -1)).filter((i) => i >= 0));
  // A smallest (largest) value a complement could not tell is no smaller (larger) than its bound:
  // when the values known for certain already reach it, it cannot be the window's answer and the
  // part is not read again — a day less an hour holding its smallest value, say.
  const known = new Map<string, Aggregate>();
  for (const { rows } of answers) addInto(known, rows);
  await readAgain(answers.map((answer, i) => (answer.unknown !== undefined && answer.unknown.size > 0 && !settled(answer.unknown, known) ? i : -1)).filter((i) => i >= 0));
  async function readAgain(indexes: number[]): Promise<void> {
    if (indexes.length === 0) return;
    const again = await readTogether(db, indexes.map((i) => partItself(parts[i]!)));
    indexes.forEach((i, k) => (answers[i] = { rows: again[k] as Row[] }));
  }
  for (const { rows } of answers) addInto(merged, rows);
  return [...merged.values()]
    .sort((a, b) => (a.plugin < b.plugin ? -1 : a.plugin > b.plugin ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((m) => ({
      plugin: m.plugin,
      key: m.key,
      count: m.num_count > 0 ? m.num_count : m.text_count,
      sum: m.num_count > 0 ? m.sum : null,
      avg: m.num_count > 0 ? m.sum / m.num_count : null,
      min: m.min,
      max: m.max,
    }));
}
