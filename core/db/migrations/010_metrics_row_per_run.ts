import { sql } from "kysely";
import type { Migration } from "./_types.ts";

/**
 * plugin_metrics becomes one row per run: `metrics` holds the run's metrics as the JSON object
 * `{ plugin: { key: value } }` (see core/repository/_metric_rows.ts), keyed by the run. A run
 * wrote 18 metric rows (and their index entries) before; now one. The stored rows are moved in
 * SQL, each run's metrics in the order they were stored (the order an export gives them), a
 * metric's value its number, else its text (null when neither).
 */
export const metricsRowPerRun: Migration = {
  version: 10,
  name: "plugin metrics stored as one row per run",
  async up(db, t) {
    await db.schema.alterTable("plugin_metrics").renameTo("plugin_metrics_old").execute();
    await db.schema
      .createTable("plugin_metrics")
      .addColumn("stats_id", t.text, (c) => c.notNull().references("processing_stats.id").onDelete("cascade"))
      .addColumn("metrics", t.text, (c) => c.notNull())
      .addPrimaryKeyConstraint("plugin_metrics_run_pk", ["stats_id"])
      // The key is the run's id: no rowid and no second index to keep.
      .$call((b) => (t.dialect === "sqlite" ? b.modifyEnd(sql`without rowid`) : b))
      .execute();
    if (t.dialect === "sqlite") {
      await sql`insert into plugin_metrics (stats_id, metrics)
        select stats_id, json_group_object(plugin, json(values_json) order by first_id) from (
          select stats_id, plugin, min(id) as first_id, json_group_object(key, coalesce(num, text) order by id) as values_json
          from plugin_metrics_old group by stats_id, plugin
        ) group by stats_id`.execute(db);
    } else {
      await sql`insert into plugin_metrics (stats_id, metrics)
        select stats_id, json_object_agg(plugin, values_json order by first_id)::text from (
          select stats_id, plugin, min(id) as first_id, json_object_agg(key, coalesce(to_json(num), to_json(text)) order by id) as values_json
          from plugin_metrics_old group by stats_id, plugin
        ) per_plugin group by stats_id`.execute(db);
    }
    await db.schema.dropTable("plugin_metrics_old").execute();
  },
};
