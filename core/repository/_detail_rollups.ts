import { type Expression, type InsertQueryBuilder, type InsertResult, type RawBuilder, type SqlBool, sql } from "kysely";
import { bulkInsert } from "../db/bulk_insert.ts";
import type { Database, MetricRollupTable } from "../db/schema.ts";
import type { Db } from "../db/handle.ts";
import { monthOf, RUN_KEY } from "./_filters.ts";
import { metricRows } from "./_metric_rows.ts";
import type { Tier } from "./_rollup.ts";

/**
 * The rollups beside stats_rollup, kept in step with it (folded with every batch of runs, rebuilt
 * with it): video codecs before → after (codec_rollup) and plugin metrics (metric_rollup), each per
 * (day, policy, library, node), so the codec distribution and metric aggregates cost the same at
 * ten thousand runs as at ten million. Each column is defined once, as SQL over the runs, and
 * serves folding, rebuilding and the scanned edge days alike. Like stats_rollup, each has a month
 * tier (codec_rollup_month, metric_rollup_month) folded by the same SQL with the month key.
 */

/** The codec a run left the file with: the target when a transcode happened and the run succeeded. */
export const CODEC_AFTER = sql<string | null>`case when success = 1 and video_transcode_skipped = 0 and video_target_codec is not null
  then video_target_codec else video_source_codec end`;

const KEYS = Object.keys(RUN_KEY) as (keyof typeof RUN_KEY)[];

/**
 * Adds the runs matching `where` (over processing_stats) to codec_rollup and metric_rollup of
 * `tier`; the metrics from `metrics` when the caller added them up (MetricContributions, keyed
 * for the tier), else from the table.
 */
export async function foldIntoDetailRollups(db: Db, where: Expression<SqlBool>, tier: Tier, metrics?: MetricRollupRow[]): Promise<void> {
  const codecTable = `codec_rollup${tier.suffix}` as const;
  const metricTable = `metric_rollup${tier.suffix}` as const;
  const keySelect = () => KEYS.map((k) => tier.key[k].as(k));
  const codecKeys = { codec_before: sql<string>`coalesce(video_source_codec, '')`, codec_after: sql<string>`coalesce(${CODEC_AFTER}, '')` };
  await db
    .insertInto(codecTable)
    .columns([...KEYS, "codec_before", "codec_after", "runs"])
    .expression(
      db
        .selectFrom("processing_stats")
        .where(where)
        .where((eb) => eb.or([eb("video_source_codec", "is not", null), eb("video_target_codec", "is not", null)]))
        .select([...keySelect(), codecKeys.codec_before.as("codec_before"), codecKeys.codec_after.as("codec_after"), sql<number>`count(*)`.as("runs")])
        .groupBy([...KEYS.map((k) => tier.key[k]), codecKeys.codec_before, codecKeys.codec_after]),
    )
    .onConflict((oc) => oc.columns([...KEYS, "codec_before", "codec_after"]).doUpdateSet({ runs: sql`${sql.ref(`${codecTable}.runs`)} + excluded.runs` }))
    .execute();

  if (metrics) {
    // Folded from the figures the batch added up in memory: a GROUP BY over 18 rows a run cost more than storing them.
    await bulkInsert(db, metricTable, METRIC_ROLLUP_COLUMNS, metrics.map((m) => METRIC_ROLLUP_COLUMNS.map((c) => m[c])), {
      mergeConflictsOn: { columns: [...KEYS, "plugin", "key"], set: mergeMetricsSql(metricTable) },
    });
    return;
  }
  await mergeMetrics(
    metricTable,
    db
      .insertInto(metricTable)
      .columns([...KEYS, "plugin", "key", "num_count", "text_count", "num_sum", "num_min", "num_max"])
      .expression(
        db
          .selectFrom(metricRows(db))
          .innerJoin("processing_stats", "processing_stats.id", "plugin_metrics.stats_id")
          .where(where)
          .select([
            ...keySelect(), "plugin_metrics.plugin", "plugin_metrics.key",
            sql<number>`count(plugin_metrics.num)`.as("num_count"), sql<number>`count(plugin_metrics.text)`.as("text_count"),
            sql<number>`coalesce(sum(plugin_metrics.num), 0)`.as("num_sum"), sql<number>`min(plugin_metrics.num)`.as("num_min"), sql<number>`max(plugin_metrics.num)`.as("num_max"),
          ])
          .groupBy([...KEYS.map((k) => tier.key[k]), "plugin_metrics.plugin", "plugin_metrics.key"]),
      ),
  );
}

const METRIC_ROLLUP_COLUMNS = [...KEYS, "plugin", "key", "num_count", "text_count", "num_sum", "num_min", "num_max"] as const;
type MetricTable = "metric_rollup" | "metric_rollup_month";
/** Keeps the smaller (or larger) of the stored and the incoming value, either possibly null. */
const pickSql = (t: MetricTable, col: string, op: "<" | ">") =>
  `case when excluded.${col} is null then ${t}.${col} when ${t}.${col} is null then excluded.${col} when excluded.${col} ${op} ${t}.${col} then excluded.${col} else ${t}.${col} end`;
/** How a row added to a metric rollup merges with the stored row of the same key: SQL per column. */
const metricMerge = (t: MetricTable): Record<string, string> => ({
  ...Object.fromEntries(["num_count", "text_count", "num_sum"].map((c) => [c, `${t}.${c} + excluded.${c}`])),
  num_min: pickSql(t, "num_min", "<"),
  num_max: pickSql(t, "num_max", ">"),
});
const mergeMetricsSql = (t: MetricTable) => Object.entries(metricMerge(t)).map(([c, value]) => `${c} = ${value}`).join(", ");

/** Adds rows to a metric rollup, merging with the stored row of the same key. */
async function mergeMetrics<T extends MetricTable>(table: T, insert: InsertQueryBuilder<Database, T, InsertResult>): Promise<void> {
  const set = Object.fromEntries(Object.entries(metricMerge(table)).map(([c, value]) => [c, sql.raw(value)]));
  await insert.onConflict((oc) => oc.columns([...KEYS, "plugin", "key"]).doUpdateSet(set as never)).execute();
}

/** A metric_rollup row as folded: the table's own shape. */
export type MetricRollupRow = MetricRollupTable;

/**
 * A batch's contribution to metric_rollup, added up while its plugin_metrics rows are made: the
 * same figures as the fold's GROUP BY (count of numbers, count of texts, sum, min and max of the
 * numbers, per run key of RUN_KEY and metric), which the fold test checks against a rebuild.
 */
export class MetricContributions {
  /** Per run key (day, policy, library, node), the rows of its metrics by plugin and key. */
  readonly #byRunKey = new Map<string, Map<string, MetricRollupRow>>();

  /** The function that adds one metric of `run`: the run's key is worked out once, not per metric. */
  of(run: { processed_at: string; policy_name: string; library: string | null; node: string | null }): (plugin: string, key: string, num: number | null, text: string | null) => void {
    const day = run.processed_at.slice(0, 10);
    const library = run.library ?? "";
    const node = run.node ?? "";
    const runKey = `${day}\0${run.policy_name}\0${library}\0${node}`;
    let rows = this.#byRunKey.get(runKey);
    if (!rows) this.#byRunKey.set(runKey, (rows = new Map()));
    const metricRows = rows;
    return (plugin, key, num, text) => {
      const id = `${plugin}\0${key}`;
      let row = metricRows.get(id);
      if (!row) {
        row = { day, policy_name: run.policy_name, library, node, plugin, key, num_count: 0, text_count: 0, num_sum: 0, num_min: null, num_max: null };
        metricRows.set(id, row);
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

/** The rows of a batch's metric contributions merged per month: the same figures keyed for the month tier. */
export function inMonths(rows: MetricRollupRow[]): MetricRollupRow[] {
  const months = new Map<string, MetricRollupRow>();
  for (const row of rows) {
    const day = `${row.day.slice(0, 7)}-01`;
    const id = `${day}\0${row.policy_name}\0${row.library}\0${row.node}\0${row.plugin}\0${row.key}`;
    const seen = months.get(id);
    if (!seen) {
      months.set(id, { ...row, day });
      continue;
    }
    seen.num_count += row.num_count;
    seen.text_count += row.text_count;
    seen.num_sum += row.num_sum;
    if (row.num_min !== null && (seen.num_min === null || row.num_min < seen.num_min)) seen.num_min = row.num_min;
    if (row.num_max !== null && (seen.num_max === null || row.num_max > seen.num_max)) seen.num_max = row.num_max;
  }
  return [...months.values()];
}

type DetailTable = "codec_rollup" | "metric_rollup";

/** Deletes the daily detail rollup rows matching `keys` (an expression over the shared key columns), or all. */
export async function clearDetailRollups(db: Db, keys?: (table: DetailTable) => Expression<SqlBool>): Promise<void> {
  for (const table of ["codec_rollup", "metric_rollup"] as const) {
    await db.deleteFrom(table).$if(keys !== undefined, (qb) => qb.where(keys!(table) as never)).execute();
  }
}

/** Each detail rollup's month-tier columns as aggregates over its daily rows. */
const MONTH_MERGE = {
  codec_rollup: { codec_before: sql`codec_before`, codec_after: sql`codec_after`, runs: sql`sum(runs)` },
  metric_rollup: {
    plugin: sql`plugin`, key: sql`key`, num_count: sql`sum(num_count)`, text_count: sql`sum(text_count)`, num_sum: sql`sum(num_sum)`,
    num_min: sql`min(num_min)`, num_max: sql`max(num_max)`,
  },
} as const;
const MONTH_GROUP = { codec_rollup: ["codec_before", "codec_after"], metric_rollup: ["plugin", "key"] } as const;
const DAY_TO_MONTH = monthOf("day");

/**
 * Recomputes the month rows matching `months` (whole months, over the shared key columns; all when
 * undefined) from the daily rows of those months.
 */
export async function deriveDetailMonths(db: Db, months?: (table: DetailTable | `${DetailTable}_month`) => Expression<SqlBool>): Promise<void> {
  const all = sql<SqlBool>`1 = 1`;
  for (const daily of ["codec_rollup", "metric_rollup"] as const) {
    const monthly = `${daily}_month` as const;
    await db.deleteFrom(monthly).where((months ? months(monthly) : all) as never).execute();
    const columns = Object.entries(MONTH_MERGE[daily]);
    await db
      .insertInto(monthly)
      .columns([...KEYS, ...columns.map(([c]) => c)] as never)
      .expression(
        db
          .selectFrom(daily)
          .where((months ? months(daily) : all) as never)
          .select([DAY_TO_MONTH.as("day"), "policy_name", "library", "node", ...columns.map(([c, e]) => e.as(c))] as never)
          .groupBy([DAY_TO_MONTH, "policy_name", "library", "node", ...MONTH_GROUP[daily]] as never),
      )
      .execute();
  }
}

export type { RawBuilder };
