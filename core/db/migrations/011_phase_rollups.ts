import { sql } from "kysely";
import type { Migration } from "./_types.ts";

/**
 * The last views that scanned every run of their window: phase timings (in every `vpo report`) and
 * the nodes' mean encoding speed read performance_metrics joined to the runs; the failures view
 * read every run. A phase rollup per (hour, day or month; policy, library, node, phase), in the
 * three tiers of the other rollups, holds what those views add up; failures are read through an
 * index of the failed runs only, so they cost what there is of them, not what history holds. The
 * slowest phases are read through an index on their wall time. Filled by the rebuild this
 * migration asks for.
 */
export const phaseRollups: Migration = {
  version: 11,
  name: "phase rollup, failed-run and phase-time indexes",
  rebuildsRollup: true,
  async up(db, t) {
    for (const name of ["phase_rollup", "phase_rollup_hour", "phase_rollup_month"]) {
      await db.schema
        .createTable(name)
        .addColumn("day", t.text, (c) => c.notNull())
        .addColumn("policy_name", t.text, (c) => c.notNull())
        .addColumn("library", t.text, (c) => c.notNull())
        .addColumn("node", t.text, (c) => c.notNull())
        .addColumn("phase_name", t.text, (c) => c.notNull())
        // Phases with a wall time: how many, how long in all, the longest.
        .addColumn("runs", t.bytes, (c) => c.notNull().defaultTo(0))
        .addColumn("total_seconds", t.seconds, (c) => c.notNull().defaultTo(0))
        .addColumn("max_seconds", t.seconds)
        // Of those, the ones that reported an encoding speed.
        .addColumn("fps_count", t.bytes, (c) => c.notNull().defaultTo(0))
        .addColumn("fps_sum", t.seconds, (c) => c.notNull().defaultTo(0))
        // Any phase of a successful run that reported one (a node's mean speed).
        .addColumn("ok_fps_count", t.bytes, (c) => c.notNull().defaultTo(0))
        .addColumn("ok_fps_sum", t.seconds, (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint(`${name}_pk`, ["day", "policy_name", "library", "node", "phase_name"])
        .execute();
    }
    await db.schema.createIndex("stats_failed_at").on("processing_stats").column("processed_at").where(sql.ref("success"), "=", 0).execute();
    // With the row id, so the longest phases come in one order (ties by the latest phase) straight from the index.
    await db.schema.createIndex("perf_wall_time").on("performance_metrics").columns(["wall_time_seconds", "id"]).execute();
  },
};
