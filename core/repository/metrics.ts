import type { Db } from "../db/handle.ts";
import { normalizeRange, num, numOrNull, runFilter } from "./_filters.ts";
import type { MetricAggregate, MetricFilter } from "./views.ts";

/**
 * count / sum / avg / min / max of every plugin metric, one row per (plugin, key), sorted by
 * plugin then key; this is how a third-party plugin's metric gets aggregated with no schema
 * change. Numbers (booleans were stored as 1/0) are aggregated; a key that only ever held text
 * reports how many values it has, with null numbers. The time window applies to the run's
 * processed_at.
 *
 * @example await getMetricAggregates(db, { plugin: "transcode", key: "fps", ...parseTimeRange({ since: "7d" }) })
 */
export async function getMetricAggregates(db: Db, filter: MetricFilter = {}): Promise<MetricAggregate[]> {
  const range = normalizeRange(filter);
  const scoped = range.since !== undefined || range.until !== undefined || filter.library !== undefined || filter.node !== undefined;
  const rows = await db
    .selectFrom("plugin_metrics")
    .select((eb) => [
      "plugin",
      "key",
      eb.fn.count<number>("num").as("num_count"),
      eb.fn.count<number>("text").as("text_count"),
      eb.fn.sum<number>("num").as("sum"),
      eb.fn.avg<number>("num").as("avg"),
      eb.fn.min<number>("num").as("min"),
      eb.fn.max<number>("num").as("max"),
    ])
    .$if(filter.plugin !== undefined, (qb) => qb.where("plugin", "=", filter.plugin!))
    .$if(filter.key !== undefined, (qb) => qb.where("key", "=", filter.key!))
    // A semi-join: the processed_at index picks the runs, and unwindowed queries skip it entirely.
    .$if(scoped, (qb) =>
      qb.where("stats_id", "in", db.selectFrom("processing_stats").select("processing_stats.id").where(runFilter(range, filter))),
    )
    .groupBy(["plugin", "key"])
    .orderBy("plugin")
    .orderBy("key")
    .execute();
  return rows.map((row) => {
    const numeric = num(row.num_count);
    return {
      plugin: row.plugin,
      key: row.key,
      count: numeric > 0 ? numeric : num(row.text_count),
      sum: numOrNull(row.sum),
      avg: numOrNull(row.avg),
      min: numOrNull(row.min),
      max: numOrNull(row.max),
    };
  });
}
