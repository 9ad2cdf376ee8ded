import type { Migration } from "./_types.ts";

/** Bucket count of the run-duration histogram (DURATION_BUCKETS in core/repository/_rollup.ts). */
const DURATION_BUCKET_COLUMNS = 12;

/**
 * Runs carry the policy's digest, the node and the library; the per-day rollup becomes
 * stats_rollup, keyed also by library and node, with exact (split) byte sums, counts per status,
 * work totals over successful runs only and the duration histogram; the run feed; the nodes
 * table; in-flight markers carry the run; jobs remember their process so a dead one can be closed.
 */
export const trustworthyRecord: Migration = {
  version: 3,
  name: "exact rollup, run feed, nodes, job owners",
  rebuildsRollup: true,
  async up(db, t) {
    for (const col of ["policy_digest", "node", "library"]) {
      await db.schema.alterTable("processing_stats").addColumn(col, t.text).execute();
    }
    await db.schema.createIndex("stats_policy_digest_hash").on("processing_stats").columns(["policy_digest", "hash_after"]).execute();

    let rollup = db.schema
      .createTable("stats_rollup")
      .addColumn("day", t.text, (c) => c.notNull())
      .addColumn("policy_name", t.text, (c) => c.notNull())
      .addColumn("library", t.text, (c) => c.notNull())
      .addColumn("node", t.text, (c) => c.notNull());
    const counters = [
      "runs", "successes", "failures", "interruptions",
      "size_before_hi", "size_before_lo", "size_after_hi", "size_after_lo",
      "audio_removed", "subtitles_removed", "attachments_removed",
      "videos_transcoded", "videos_skipped", "audio_transcoded", "hardware_encodes", "software_encodes",
      "duration_count", ...Array.from({ length: DURATION_BUCKET_COLUMNS }, (_, i) => `duration_le_${i}`),
    ];
    for (const col of counters) rollup = rollup.addColumn(col, t.bytes, (c) => c.notNull().defaultTo(0));
    await rollup
      .addColumn("duration_sum", t.seconds, (c) => c.notNull().defaultTo(0))
      .addColumn("first_at", t.text, (c) => c.notNull())
      .addColumn("last_at", t.text, (c) => c.notNull())
      .addPrimaryKeyConstraint("stats_rollup_pk", ["day", "policy_name", "library", "node"])
      .execute();
    await db.schema.dropTable("stats_daily").execute();

    await t
      .autoId(db.schema.createTable("run_feed"), "seq")
      .addColumn("kind", t.text, (c) => c.notNull())
      .addColumn("run_id", t.text)
      .addColumn("at", t.text, (c) => c.notNull())
      .addColumn("tx", t.bytes)
      .execute();
    await db.schema.createIndex("run_feed_at").on("run_feed").column("at").execute();

    await db.schema
      .createTable("nodes")
      .addColumn("id", t.text, (c) => c.primaryKey())
      .addColumn("name", t.text, (c) => c.notNull())
      .addColumn("hostname", t.text, (c) => c.notNull())
      .addColumn("first_seen", t.text, (c) => c.notNull())
      .addColumn("last_seen", t.text, (c) => c.notNull())
      .addColumn("version", t.text)
      .execute();

    // In-flight markers carry the run: the file's facts and identity before it (JSON), and from
    // the commit point on the run as it will be recorded, so a run killed after replacing its file
    // is recorded right; and the node doing it.
    for (const col of ["before_facts", "pending_run", "node"]) await db.schema.alterTable("runs_in_flight").addColumn(col, t.text).execute();

    await db.schema.alterTable("jobs").addColumn("host", t.text).execute();
    await db.schema.alterTable("jobs").addColumn("pid", "integer").execute();
    await db.schema.alterTable("jobs").addColumn("node", t.text).execute();
    await db.schema.createIndex("jobs_status").on("jobs").column("status").execute();
  },
};
