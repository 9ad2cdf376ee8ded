import { sql } from "kysely";
import type { MetricRollupTable } from "../db/schema.ts";
import { HOURLY, RUN_KEY, type Tier } from "./_filters.ts";
import { metricRows } from "./_metric_rows.ts";
import type { RollupShape } from "./_rollup_tiers.ts";

/**
 * The rollups beside stats_rollup, kept in step with it (folded with every batch of runs, rebuilt
 * with it): video codecs before → after (codec_rollup) and plugin metrics (metric_rollup), each per
 * (day, policy, library, node), so the codec distribution and metric aggregates cost the same at
 * ten thousand runs as at ten million. Each column is defined once, as SQL over the runs, and
 * serves folding, rebuilding and the scanned edge days alike. Like stats_rollup, each has an hour
 * and a month tier (codec_rollup_hour, …_month), folded and rebuilt with it (_rollup_tiers.ts).
 */

/** The codec a run left the file with: the target when a transcode happened and the run succeeded. */
export const CODEC_AFTER = sql<string | null>`case when success = 1 and video_transcode_skipped = 0 and video_target_codec is not null
  then video_target_codec else video_source_codec end`;

const KEYS = Object.keys(RUN_KEY) as (keyof typeof RUN_KEY)[];
const keySelect = (tier: Tier) => KEYS.map((k) => tier.key[k].as(k));
const CODEC_KEYS = { codec_before: sql<string>`coalesce(video_source_codec, '')`, codec_after: sql<string>`coalesce(${CODEC_AFTER}, '')` };

/** codec_rollup: runs per (key, codec before, codec after), over runs that reported a video codec. */
export const CODEC_ROLLUP: RollupShape = {
  table: "codec_rollup",
  keys: ["codec_before", "codec_after"],
  merge: { runs: "sum" },
  contributions: (db, where, tier) =>
    db
      .selectFrom("processing_stats")
      .where(where)
      .where((eb) => eb.or([eb("video_source_codec", "is not", null), eb("video_target_codec", "is not", null)]))
      .select([...keySelect(tier), CODEC_KEYS.codec_before.as("codec_before"), CODEC_KEYS.codec_after.as("codec_after"), sql<number>`count(*)`.as("runs")])
      .groupBy([...KEYS.map((k) => tier.key[k]), CODEC_KEYS.codec_before, CODEC_KEYS.codec_after]),
};

/**
 * metric_rollup: per (key, plugin, metric key) the count of numbers and of texts, and the sum, min
 * and max of the numbers. A batch's rows are usually added up in memory (MetricContributions).
 */
export const METRIC_ROLLUP: RollupShape = {
  table: "metric_rollup",
  keys: ["plugin", "key"],
  merge: { num_count: "sum", text_count: "sum", num_sum: "sum", num_min: "min", num_max: "max" },
  contributions: (db, where, tier) =>
    db
      .selectFrom(metricRows(db))
      .innerJoin("processing_stats", "processing_stats.id", "plugin_metrics.stats_id")
      .where(where)
      .select([
        ...keySelect(tier), "plugin_metrics.plugin", "plugin_metrics.key",
        sql<number>`count(plugin_metrics.num)`.as("num_count"), sql<number>`count(plugin_metrics.text)`.as("text_count"),
        sql<number>`coalesce(sum(plugin_metrics.num), 0)`.as("num_sum"), sql<number>`min(plugin_metrics.num)`.as("num_min"), sql<number>`max(plugin_metrics.num)`.as("num_max"),
      ])
      .groupBy([...KEYS.map((k) => tier.key[k]), "plugin_metrics.plugin", "plugin_metrics.key"]),
};

/** A metric_rollup row as folded: the table's own shape. */
export type MetricRollupRow = MetricRollupTable;

/**
 * A batch's contribution to metric_rollup, added up while its plugin_metrics rows are made: the
 * same figures as the fold's GROUP BY (count of numbers, count of texts, sum, min and max of the
 * numbers, per hour key (HOURLY) and metric), which the fold test checks against a rebuild.
 */
export class MetricContributions {
  /** Per run key (hour, policy, library, node), the rows of its metrics by plugin and key. */
  readonly #byRunKey = new Map<string, Map<string, MetricRollupRow>>();

  /** The function that adds one metric of `run`: the run's key is worked out once, not per metric. */
  of(run: { processed_at: string; policy_name: string; library: string | null; node: string | null }): (plugin: string, key: string, num: number | null, text: string | null) => void {
    const day = HOURLY.keyOf(run.processed_at);
    const library = run.library ?? "";
    const node = run.node ?? "";
    const runKey = `${day}\0${run.policy_name}\0${library}\0${node}`;
    let rows = this.#byRunKey.get(runKey);
    if (!rows) this.#byRunKey.set(runKey, (rows = new Map()));
    const byMetric = rows;
    return (plugin, key, num, text) => {
      const id = `${plugin}\0${key}`;
      let row = byMetric.get(id);
      if (!row) {
        row = { day, policy_name: run.policy_name, library, node, plugin, key, num_count: 0, text_count: 0, num_sum: 0, num_min: null, num_max: null };
        byMetric.set(id, row);
      }
      if (num !== null) {
        row.num_count++;
        row.num_sum += num;
        if (row.num_min === null || num < row.num_min) row.num_min = num;
        if (row.num_max === null || num > row.num_max) row.num_max = num;
      }
      if (text !== null) row.text_count++;
    };
  }

  rows(): MetricRollupRow[] {
    const out: MetricRollupRow[] = [];
    for (const rows of this.#byRunKey.values()) for (const row of rows.values()) out.push(row);
    return out;
  }
}
