import type { Migration } from "./_types.ts";

/**
 * Rollups for the views that used to scan every run: video codecs before → after, and plugin
 * metric aggregates, per (day, policy, library, node). The (plugin, key) index on plugin_metrics
 * served only those scans; without it every metric row costs one index update less.
 */
export const detailRollups: Migration = {
  version: 4,
  name: "codec and metric rollups",
  rebuildsRollup: true,
  async up(db, t) {
    const keyed = (name: string) =>
      db.schema
        .createTable(name)
        .addColumn("day", t.text, (c) => c.notNull())
        .addColumn("policy_name", t.text, (c) => c.notNull())
        .addColumn("library", t.text, (c) => c.notNull())
        .addColumn("node", t.text, (c) => c.notNull());
    await keyed("codec_rollup")
      .addColumn("codec_before", t.text, (c) => c.notNull())
      .addColumn("codec_after", t.text, (c) => c.notNull())
      .addColumn("runs", t.bytes, (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint("codec_rollup_pk", ["day", "policy_name", "library", "node", "codec_before", "codec_after"])
      .execute();
    await keyed("metric_rollup")
      .addColumn("plugin", t.text, (c) => c.notNull())
      .addColumn("key", t.text, (c) => c.notNull())
      .addColumn("num_count", t.bytes, (c) => c.notNull().defaultTo(0))
      .addColumn("text_count", t.bytes, (c) => c.notNull().defaultTo(0))
      .addColumn("num_sum", t.seconds, (c) => c.notNull().defaultTo(0))
      .addColumn("num_min", t.seconds)
      .addColumn("num_max", t.seconds)
      .addPrimaryKeyConstraint("metric_rollup_pk", ["day", "policy_name", "library", "node", "plugin", "key"])
      .execute();
    await db.schema.dropIndex("plugin_metrics_key").execute();
  },
};
