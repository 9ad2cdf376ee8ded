import type { Migration, MigrationContext } from "./_types.ts";
import type { CreateTableBuilder, Kysely } from "kysely";

/** The columns of stats_rollup beyond its key, in its order: [name, which type]. */
const STATS_COLUMNS: [string, "bytes" | "seconds" | "text"][] = [
  ...["runs", "successes", "failures", "interruptions", "size_before_hi", "size_before_lo", "size_after_hi", "size_after_lo", "audio_removed", "subtitles_removed",
    "attachments_removed", "videos_transcoded", "videos_skipped", "audio_transcoded", "hardware_encodes", "software_encodes"].map((c) => [c, "bytes"] as [string, "bytes"]),
  ["duration_sum", "seconds"],
  ["duration_count", "bytes"],
  ...Array.from({ length: 12 }, (_, i) => [`duration_le_${i}`, "bytes"] as [string, "bytes"]),
  ["first_at", "text"],
  ["last_at", "text"],
];

/**
 * A finer tier of every rollup: the same sums per (UTC hour, policy, library, node), `day` holding
 * "YYYY-MM-DDTHH". A window's partial edge day is then read as whole hours from it, and only its
 * partial edge hours from the runs, so no part of a view scans more than an hour of runs (at a
 * million runs an edge day held ~1,400). Filled by the rebuild this migration asks for (the hours
 * from the runs; the daily and month rows derived from them).
 */
export const hourRollups: Migration = {
  version: 9,
  name: "hour tier of the rollups",
  rebuildsRollup: true,
  async up(db, t) {
    await createHourTables(db, t);
  },
};

async function createHourTables(db: Kysely<any>, t: MigrationContext): Promise<void> {
  // Keyed as every rollup: (day, policy_name, library, node), and more.
  const table = (name: string) => ["day", "policy_name", "library", "node"].reduce<CreateTableBuilder<string, string>>((b, k) => b.addColumn(k, t.text, (c) => c.notNull()), db.schema.createTable(name));
  const counted = (c: { notNull(): { defaultTo(v: number): unknown } }) => c.notNull().defaultTo(0) as never;
  let stats = table("stats_rollup_hour");
  for (const [name, type] of STATS_COLUMNS) stats = type === "text" ? stats.addColumn(name, t.text, (c) => c.notNull()) : stats.addColumn(name, t[type], counted);
  await stats.addPrimaryKeyConstraint("stats_rollup_hour_pk", ["day", "policy_name", "library", "node"]).execute();
  await table("codec_rollup_hour")
    .addColumn("codec_before", t.text, (c) => c.notNull())
    .addColumn("codec_after", t.text, (c) => c.notNull())
    .addColumn("runs", t.bytes, counted)
    .addPrimaryKeyConstraint("codec_rollup_hour_pk", ["day", "policy_name", "library", "node", "codec_before", "codec_after"])
    .execute();
  let metrics = table("metric_rollup_hour").addColumn("plugin", t.text, (c) => c.notNull()).addColumn("key", t.text, (c) => c.notNull());
  for (const [name, type] of [["num_count", "bytes"], ["text_count", "bytes"], ["num_sum", "seconds"]] as const) metrics = metrics.addColumn(name, t[type], counted);
  await metrics
    .addColumn("num_min", t.seconds)
    .addColumn("num_max", t.seconds)
    .addPrimaryKeyConstraint("metric_rollup_hour_pk", ["day", "policy_name", "library", "node", "plugin", "key"])
    .execute();
}
