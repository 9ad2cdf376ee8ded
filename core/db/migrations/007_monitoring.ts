import type { Migration } from "./_types.ts";

/**
 * Monitoring: alert state per rule and label set, the history of notifications and of each
 * delivery, silences, and the log store. A failed run also keeps the command line of the tool
 * that failed and the tail of its stderr.
 */
export const monitoring: Migration = {
  version: 7,
  name: "alerts, deliveries, log store, run failure details",
  async up(db, t) {
    for (const col of ["failure_command", "failure_output"]) await db.schema.alterTable("processing_stats").addColumn(col, t.text).execute();

    await db.schema
      .createTable("alert_state")
      .addColumn("rule", t.text, (c) => c.notNull())
      .addColumn("fingerprint", t.text, (c) => c.notNull())
      .addColumn("labels", t.text, (c) => c.notNull())
      .addColumn("status", t.text, (c) => c.notNull())
      .addColumn("active_since", t.text)
      .addColumn("fired_at", t.text)
      .addColumn("resolved_at", t.text)
      .addColumn("last_notified_at", t.text)
      .addColumn("epoch", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("notified", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("value", t.seconds)
      .addColumn("summary", t.text)
      .addColumn("details", t.text)
      .addColumn("updated_at", t.text, (c) => c.notNull())
      .addColumn("version", "integer", (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint("alert_state_pk", ["rule", "fingerprint"])
      .execute();

    await t
      .autoId(db.schema.createTable("alert_events"), "id")
      .addColumn("rule", t.text, (c) => c.notNull())
      .addColumn("fingerprint", t.text, (c) => c.notNull())
      .addColumn("epoch", "integer", (c) => c.notNull())
      .addColumn("seq", "integer", (c) => c.notNull())
      .addColumn("kind", t.text, (c) => c.notNull())
      .addColumn("severity", t.text, (c) => c.notNull())
      .addColumn("labels", t.text, (c) => c.notNull())
      .addColumn("value", t.seconds)
      .addColumn("summary", t.text)
      .addColumn("details", t.text)
      .addColumn("message", t.text)
      .addColumn("silenced", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("at", t.text, (c) => c.notNull())
      .execute();
    // The claim: several servers evaluating the same rule make one notification, not one each.
    await db.schema.createIndex("alert_events_claim").unique().on("alert_events").columns(["rule", "fingerprint", "epoch", "kind", "seq"]).execute();
    await db.schema.createIndex("alert_events_at").on("alert_events").column("at").execute();

    await t
      .autoId(db.schema.createTable("alert_deliveries"), "id")
      .addColumn("event_id", t.bytes)
      .addColumn("source", t.text, (c) => c.notNull())
      .addColumn("channel", t.text, (c) => c.notNull())
      .addColumn("message", t.text, (c) => c.notNull())
      .addColumn("status", t.text, (c) => c.notNull())
      .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("last_error", t.text)
      .addColumn("created_at", t.text, (c) => c.notNull())
      .addColumn("updated_at", t.text, (c) => c.notNull())
      .addColumn("next_attempt_at", t.text)
      .addColumn("lease_until", t.text)
      .addColumn("delivered_at", t.text)
      .execute();
    await db.schema.createIndex("alert_deliveries_due").on("alert_deliveries").columns(["status", "next_attempt_at"]).execute();
    await db.schema.createIndex("alert_deliveries_event").on("alert_deliveries").column("event_id").execute();
    await db.schema.createIndex("alert_deliveries_created").on("alert_deliveries").column("created_at").execute();

    await t
      .autoId(db.schema.createTable("alert_silences"), "id")
      .addColumn("rule", t.text, (c) => c.notNull())
      .addColumn("until", t.text, (c) => c.notNull())
      .addColumn("created_at", t.text, (c) => c.notNull())
      .addColumn("reason", t.text)
      .execute();
    await db.schema.createIndex("alert_silences_rule").on("alert_silences").columns(["rule", "until"]).execute();

    await t
      .autoId(db.schema.createTable("log_records"), "id")
      .addColumn("at", t.text, (c) => c.notNull())
      .addColumn("level", t.text, (c) => c.notNull())
      .addColumn("severity", "integer", (c) => c.notNull())
      .addColumn("category", t.text, (c) => c.notNull())
      .addColumn("message", t.text, (c) => c.notNull())
      .addColumn("job_id", t.text)
      .addColumn("run_id", t.text)
      .addColumn("file", t.text)
      .addColumn("node", t.text)
      .addColumn("plugin", t.text)
      .addColumn("properties", t.text)
      .execute();
    await db.schema.createIndex("log_records_at").on("log_records").column("at").execute();
    await db.schema.createIndex("log_records_run").on("log_records").columns(["run_id", "at"]).execute();
    await db.schema.createIndex("log_records_job").on("log_records").columns(["job_id", "at"]).execute();
  },
};
