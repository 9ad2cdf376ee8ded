import type { Migration } from "./_types.ts";

/**
 * A coarser tier of every rollup: the same sums per (month, policy, library, node), with `day`
 * holding the month's first day. A view over a long window reads whole months from it, and
 * only the days of its edge months from the daily rollups, so its cost no longer grows with the
 * days of history (at a million runs over two years the daily rows are dense). Filled by the
 * rebuild this migration asks for (which derives it from the daily rows).
 */
export const monthRollups: Migration = {
  version: 8,
  name: "month tier of the rollups",
  rebuildsRollup: true,
  async up(db, t) {
    const keyed = (name: string) =>
      db.schema
        .createTable(name)
        .addColumn("day", t.text, (c) => c.notNull())
        .addColumn("policy_name", t.text, (c) => c.notNull())
        .addColumn("library", t.text, (c) => c.notNull())
        .addColumn("node", t.text, (c) => c.notNull());
    let stats = keyed("stats_rollup_month");
    for (const col of ["runs", "successes", "failures", "interruptions", "size_before_hi", "size_before_lo", "size_after_hi", "size_after_lo",
      "audio_removed", "subtitles_removed", "attachments_removed", "videos_transcoded", "videos_skipped", "audio_transcoded", "hardware_encodes",
      "software_encodes"]) {
      stats = stats.addColumn(col, t.bytes, (c) => c.notNull().defaultTo(0));
    }
    stats = stats.addColumn("duration_sum", t.seconds, (c) => c.notNull().defaultTo(0)).addColumn("duration_count", t.bytes, (c) => c.notNull().defaultTo(0));
    for (let i = 0; i < 12; i++) stats = stats.addColumn(`duration_le_${i}`, t.bytes, (c) => c.notNull().defaultTo(0));
    await stats
      .addColumn("first_at", t.text, (c) => c.notNull())
      .addColumn("last_at", t.text, (c) => c.notNull())
      .addPrimaryKeyConstraint("stats_rollup_month_pk", ["day", "policy_name", "library", "node"])
      .execute();
    await keyed("codec_rollup_month")
      .addColumn("codec_before", t.text, (c) => c.notNull())
      .addColumn("codec_after", t.text, (c) => c.notNull())
      .addColumn("runs", t.bytes, (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint("codec_rollup_month_pk", ["day", "policy_name", "library", "node", "codec_before", "codec_after"])
      .execute();
    await keyed("metric_rollup_month")
      .addColumn("plugin", t.text, (c) => c.notNull())
      .addColumn("key", t.text, (c) => c.notNull())
      .addColumn("num_count", t.bytes, (c) => c.notNull().defaultTo(0))
      .addColumn("text_count", t.bytes, (c) => c.notNull().defaultTo(0))
      .addColumn("num_sum", t.seconds, (c) => c.notNull().defaultTo(0))
      .addColumn("num_min", t.seconds)
      .addColumn("num_max", t.seconds)
      .addPrimaryKeyConstraint("metric_rollup_month_pk", ["day", "policy_name", "library", "node", "plugin", "key"])
      .execute();
  },
};
