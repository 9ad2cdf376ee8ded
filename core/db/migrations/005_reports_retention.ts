import type { Migration } from "./_types.ts";

/**
 * Runs carry the video height (performance series are split by resolution); library composition
 * snapshots; stored reports, claimed once per (schedule, period); retention horizons. Existing
 * runs keep a null height: it was never measured.
 */
export const reportsAndRetention: Migration = {
  version: 5,
  name: "video height, library snapshots, reports, retention horizons",
  async up(db, t) {
    await db.schema.alterTable("processing_stats").addColumn("video_height", "integer").execute();

    await db.schema
      .createTable("library_snapshots")
      .addColumn("library", t.text, (c) => c.notNull())
      .addColumn("day", t.text, (c) => c.notNull())
      .addColumn("dimension", t.text, (c) => c.notNull())
      .addColumn("value", t.text, (c) => c.notNull())
      .addColumn("files", t.bytes, (c) => c.notNull())
      .addColumn("bytes", t.bytes, (c) => c.notNull())
      .addColumn("taken_at", t.text, (c) => c.notNull())
      .addPrimaryKeyConstraint("library_snapshots_pk", ["library", "day", "dimension", "value"])
      .execute();

    await db.schema
      .createTable("reports")
      .addColumn("id", t.text, (c) => c.primaryKey())
      .addColumn("schedule", t.text, (c) => c.notNull())
      .addColumn("period_key", t.text, (c) => c.notNull())
      .addColumn("period", t.text, (c) => c.notNull())
      .addColumn("since", t.text, (c) => c.notNull())
      .addColumn("until", t.text, (c) => c.notNull())
      .addColumn("format", t.text, (c) => c.notNull())
      .addColumn("content_type", t.text, (c) => c.notNull())
      .addColumn("status", t.text, (c) => c.notNull())
      .addColumn("claimed_by", t.text)
      .addColumn("claimed_at", t.text, (c) => c.notNull())
      .addColumn("created_at", t.text)
      .addColumn("body", t.dialect === "sqlite" ? "blob" : "bytea")
      .addColumn("size_bytes", t.bytes)
      .addColumn("error", t.text)
      .addColumn("deliveries", t.text)
      .addUniqueConstraint("reports_schedule_period", ["schedule", "period_key"])
      .execute();
    await db.schema.createIndex("reports_created").on("reports").column("claimed_at").execute();

    await db.schema
      .createTable("retention_state")
      .addColumn("name", t.text, (c) => c.primaryKey())
      .addColumn("horizon", t.text, (c) => c.notNull())
      .addColumn("applied_at", t.text, (c) => c.notNull())
      .execute();
  },
};
