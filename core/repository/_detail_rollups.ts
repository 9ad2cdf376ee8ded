import { type Expression, type RawBuilder, type SqlBool, sql } from "kysely";
import type { Db } from "../db/handle.ts";
import { RUN_KEY } from "./_filters.ts";

/**
 * The rollups beside stats_rollup, kept in step with it (folded with every batch of runs, rebuilt
 * with it): video codecs before → after (codec_rollup) and plugin metrics (metric_rollup), each per
 * (day, policy, library, node), so the codec distribution and metric aggregates cost the same at
 * ten thousand runs as at ten million. Each column is defined once, as SQL over the runs, and
 * serves folding, rebuilding and the scanned edge days alike.
 */

/** The codec a run left the file with: the target when a transcode happened and the run succeeded. */
export const CODEC_AFTER = sql<string | null>`case when success = 1 and video_transcode_skipped = 0 and video_target_codec is not null
  then video_target_codec else video_source_codec end`;

const KEYS = Object.keys(RUN_KEY) as (keyof typeof RUN_KEY)[];
const keySelect = () => KEYS.map((k) => RUN_KEY[k].as(k));

/** Keeps the smaller (or larger) of the stored and the incoming value, either possibly null. */
const pick = (col: string, op: "<" | ">") =>
  sql`case when ${sql.ref(`excluded.${col}`)} is null then ${sql.ref(`metric_rollup.${col}`)} when ${sql.ref(`metric_rollup.${col}`)} is null then ${sql.ref(`excluded.${col}`)} when ${sql.ref(`excluded.${col}`)} ${sql.raw(op)} ${sql.ref(`metric_rollup.${col}`)} then ${sql.ref(`excluded.${col}`)} else ${sql.ref(`metric_rollup.${col}`)} end`;

/** Adds the runs matching `where` (over processing_stats) to codec_rollup and metric_rollup. */
export async function foldIntoDetailRollups(db: Db, where: Expression<SqlBool>): Promise<void> {
  const codecKeys = { codec_before: sql<string>`coalesce(video_source_codec, '')`, codec_after: sql<string>`coalesce(${CODEC_AFTER}, '')` };
  await db
    .insertInto("codec_rollup")
    .columns([...KEYS, "codec_before", "codec_after", "runs"])
    .expression(
      db
        .selectFrom("processing_stats")
        .where(where)
        .where((eb) => eb.or([eb("video_source_codec", "is not", null), eb("video_target_codec", "is not", null)]))
        .select([...keySelect(), codecKeys.codec_before.as("codec_before"), codecKeys.codec_after.as("codec_after"), sql<number>`count(*)`.as("runs")])
        .groupBy([...KEYS.map((k) => RUN_KEY[k]), codecKeys.codec_before, codecKeys.codec_after]),
    )
    .onConflict((oc) => oc.columns([...KEYS, "codec_before", "codec_after"]).doUpdateSet({ runs: sql`codec_rollup.runs + excluded.runs` }))
    .execute();

  await db
    .insertInto("metric_rollup")
    .columns([...KEYS, "plugin", "key", "num_count", "text_count", "num_sum", "num_min", "num_max"])
    .expression(
      db
        .selectFrom("plugin_metrics")
        .innerJoin("processing_stats", "processing_stats.id", "plugin_metrics.stats_id")
        .where(where)
        .select([
          ...keySelect(), "plugin_metrics.plugin", "plugin_metrics.key",
          sql<number>`count(plugin_metrics.num)`.as("num_count"), sql<number>`count(plugin_metrics.text)`.as("text_count"),
          sql<number>`coalesce(sum(plugin_metrics.num), 0)`.as("num_sum"), sql<number>`min(plugin_metrics.num)`.as("num_min"), sql<number>`max(plugin_metrics.num)`.as("num_max"),
        ])
        .groupBy([...KEYS.map((k) => RUN_KEY[k]), "plugin_metrics.plugin", "plugin_metrics.key"]),
    )
    .onConflict((oc) =>
      oc.columns([...KEYS, "plugin", "key"]).doUpdateSet({
        num_count: sql`metric_rollup.num_count + excluded.num_count`,
        text_count: sql`metric_rollup.text_count + excluded.text_count`,
        num_sum: sql`metric_rollup.num_sum + excluded.num_sum`,
        num_min: pick("num_min", "<"),
        num_max: pick("num_max", ">"),
      } as never),
    )
    .execute();
}

/** Deletes the detail rollup rows matching `keys` (an expression over the shared key columns), or all. */
export async function clearDetailRollups(db: Db, keys?: (table: "codec_rollup" | "metric_rollup") => Expression<SqlBool>): Promise<void> {
  for (const table of ["codec_rollup", "metric_rollup"] as const) {
    await db.deleteFrom(table).$if(keys !== undefined, (qb) => qb.where(keys!(table) as never)).execute();
  }
}

export type { RawBuilder };
