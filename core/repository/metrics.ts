import { sql } from "kysely";
import type { Db } from "../db/handle.ts";
import { normalizeRange, num, rollupFilter, runFilter, splitRange, tierTable } from "./_filters.ts";
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
 * days come from metric_rollup and only the partial edge days from the runs.
 *
 * @example await getMetricAggregates(db, { plugin: "transcode", key: "fps", ...parseTimeRange({ since: "7d" }) })
 */
export function getMetricAggregates(db: Db, filter: MetricFilter = {}): Promise<MetricAggregate[]> {
  return metricsFrom(db, filter, "auto");
}

/** getMetricAggregates with the source chosen; exported for the tests that all sources agree. */
export async function metricsFrom(db: Db, filter: MetricFilter, source: "auto" | "raw"): Promise<MetricAggregate[]> {
  const merged = new Map<string, { plugin: string; key: string } & Partial>();
  const add = (row: { plugin: string; key: string; num_count: unknown; text_count: unknown; sum: unknown; min: unknown; max: unknown }) => {
    const id = `${row.plugin}\0${row.key}`;
    const seen = merged.get(id) ?? { plugin: row.plugin, key: row.key, num_count: 0, text_count: 0, sum: 0, min: null, max: null };
    seen.num_count += num(row.num_count);
    seen.text_count += num(row.text_count);
    seen.sum += num(row.sum);
    seen.min = smaller(seen.min, nullable(row.min));
    seen.max = larger(seen.max, nullable(row.max));
    merged.set(id, seen);
  };
  const scope = { policy: filter.policy, library: filter.library, node: filter.node };
  const range = normalizeRange(filter);
  for (const part of source === "auto" ? splitRange(range) : [{ range, source: "raw" as const }]) {
    if (part.source !== "raw") {
      const table = tierTable("metric_rollup", part.source);
      const rows = await db
        .selectFrom(table)
        .where(rollupFilter(part.range, scope, table))
        .$if(filter.plugin !== undefined, (qb) => qb.where("plugin", "=", filter.plugin!))
        .$if(filter.key !== undefined, (qb) => qb.where("key", "=", filter.key!))
        .select([
          "plugin", "key", sql<number>`sum(num_count)`.as("num_count"), sql<number>`sum(text_count)`.as("text_count"),
          sql<number>`sum(num_sum)`.as("sum"), sql<number>`min(num_min)`.as("min"), sql<number>`max(num_max)`.as("max"),
        ])
        .groupBy(["plugin", "key"])
        .execute();
      for (const r of rows) add(r);
    } else {
      const rows = await db
        .selectFrom("plugin_metrics")
        .innerJoin("processing_stats", "processing_stats.id", "plugin_metrics.stats_id")
        .where(runFilter(part.range, scope))
        .$if(filter.plugin !== undefined, (qb) => qb.where("plugin_metrics.plugin", "=", filter.plugin!))
        .$if(filter.key !== undefined, (qb) => qb.where("plugin_metrics.key", "=", filter.key!))
        .select([
          "plugin_metrics.plugin", "plugin_metrics.key", sql<number>`count(plugin_metrics.num)`.as("num_count"), sql<number>`count(plugin_metrics.text)`.as("text_count"),
          sql<number>`coalesce(sum(plugin_metrics.num), 0)`.as("sum"), sql<number>`min(plugin_metrics.num)`.as("min"), sql<number>`max(plugin_metrics.num)`.as("max"),
        ])
        .groupBy(["plugin_metrics.plugin", "plugin_metrics.key"])
        .execute();
      for (const r of rows) add(r);
    }
  }
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
