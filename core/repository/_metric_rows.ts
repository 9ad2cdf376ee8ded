import { type AliasedRawBuilder, sql } from "kysely";
import { dialectOf, type Db } from "../db/handle.ts";
import type { MetricValue } from "../record/mod.ts";

/**
 * A run's plugin metrics are stored as one plugin_metrics row per run: `metrics` holds them as the
 * JSON object `{ plugin: { key: value } }` (value a number, a string or null; booleans stored as 1/0),
 * in the order the run reported them. One row instead of one per metric is what makes an import
 * fast: a run used to write 18 metric rows and their index entries. The JSON is the stored shape
 * itself, so a reader decodes it with one JSON.parse; SQL readers expand it into the old
 * (stats_id, plugin, key, num, text) rows with metricRows.
 */

/** A run's metrics as read back: what getRunDetail and an export give. */
export type StoredMetrics = Record<string, Record<string, number | string | null>>;

/** Hears each metric as it is encoded, in the form SQL sees it: numbers and booleans in `num`, strings in `text`. */
export type MetricVisitor = (plugin: string, key: string, num: number | null, text: string | null) => void;

/**
 * The `metrics` text of a run, or null when it has no metric (then no row is stored). Plugins
 * without a metric are left out, as they stored no row before. `each` hears every metric.
 */
export function encodeMetrics(metrics: Record<string, Record<string, MetricValue>>, each?: MetricVisitor): string | null {
  let count = 0;
  // The reported object is stored as is unless it holds a boolean or an empty plugin.
  let asIs = true;
  for (const plugin in metrics) {
    const values = metrics[plugin]!;
    let keys = 0;
    for (const key in values) {
      keys++;
      const value = values[key];
      const num = typeof value === "number" ? value : typeof value === "boolean" ? (value ? 1 : 0) : null;
      if (typeof value === "boolean") asIs = false;
      each?.(plugin, key, num, typeof value === "string" ? value : null);
    }
    if (keys === 0) asIs = false;
    count += keys;
  }
  if (count === 0) return null;
  return JSON.stringify(asIs ? metrics : storedShape(metrics));
}

function storedShape(metrics: Record<string, Record<string, MetricValue>>): StoredMetrics {
  const out: StoredMetrics = {};
  for (const plugin in metrics) {
    const values = metrics[plugin]!;
    let kept: Record<string, number | string | null> | undefined;
    for (const key in values) {
      const value = values[key]!;
      (kept ??= out[plugin] = {})[key] = typeof value === "boolean" ? (value ? 1 : 0) : value;
    }
  }
  return out;
}

/** The metrics of a stored `metrics` value (null or absent: the run has none). */
export function decodeMetrics(text: string | null | undefined): StoredMetrics {
  return typeof text === "string" ? (JSON.parse(text) as StoredMetrics) : {};
}

/** One metric of a run as SQL readers see it: the shape plugin_metrics had when it held a row per metric. */
export interface MetricRow {
  stats_id: string;
  plugin: string;
  key: string;
  num: number | null;
  text: string | null;
}

/**
 * plugin_metrics expanded into one row per metric, as a derived table named `plugin_metrics` (so
 * queries read `plugin_metrics.plugin`, `.key`, `.num`, `.text` and `.stats_id` as before). Joined
 * to processing_stats, both SQLite and PostgreSQL expand only the rows of the runs joined. `num`
 * is a double, like the old column (SQLite would otherwise sum integers, and may overflow).
 */
export function metricRows(db: Db): AliasedRawBuilder<MetricRow, "plugin_metrics"> {
  const rows =
    dialectOf(db) === "postgres"
      ? sql<MetricRow>`(select pm.stats_id, p.key as plugin, m.key as key,
          case when json_typeof(m.value) = 'number' then (m.value #>> '{}')::double precision end as num,
          case when json_typeof(m.value) = 'string' then m.value #>> '{}' end as text
        from plugin_metrics pm cross join lateral json_each(pm.metrics::json) p cross join lateral json_each(p.value) m)`
      : sql<MetricRow>`(select pm.stats_id, p.key as plugin, m.key as key,
          case when m.type in ('integer', 'real') then cast(m.value as real) end as num,
          case when m.type = 'text' then m.value end as text
        from plugin_metrics pm, json_each(pm.metrics) p, json_each(p.value) m)`;
  return rows.as("plugin_metrics");
}
