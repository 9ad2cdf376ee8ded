import { type Kysely, sql } from "kysely";
import { VpoError } from "../errors.ts";
import type { Database } from "./schema.ts";

interface Migration {
  version: number;
  name: string;
  up(db: Kysely<any>): Promise<void>;
}

/** Append-only list: never edit a released migration, add the next version. */
const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "initial schema",
    async up(db) {
      await db.schema
        .createTable("files")
        .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
        .addColumn("path", "text", (c) => c.notNull().unique())
        .addColumn("size_bytes", "integer")
        .addColumn("modified_at", "text")
        .addColumn("content_hash", "text")
        .addColumn("container", "text")
        .addColumn("duration", "real")
        .addColumn("bitrate", "integer")
        .addColumn("streams", "text")
        .addColumn("scanned_at", "text")
        .addColumn("scan_status", "text", (c) => c.notNull().defaultTo("ok"))
        .addColumn("scan_error", "text")
        .execute();

      await db.schema
        .createTable("jobs")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("type", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("started_at", "text")
        .addColumn("completed_at", "text")
        .addColumn("policy_name", "text")
        .addColumn("summary", "text")
        .addColumn("files_total", "integer")
        .addColumn("files_affected", "integer")
        .addColumn("error", "text")
        .execute();
      await db.schema.createIndex("jobs_created_at").on("jobs").column("created_at").execute();

      let stats = db.schema
        .createTable("processing_stats")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("file_id", "integer", (c) => c.references("files.id").onDelete("set null"))
        .addColumn("file_path", "text", (c) => c.notNull())
        .addColumn("job_id", "text")
        .addColumn("processed_at", "text", (c) => c.notNull())
        .addColumn("policy_name", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("success", "integer", (c) => c.notNull())
        .addColumn("error_message", "text");
      for (const col of [
        "size_before", "size_after", "size_change",
        "audio_tracks_before", "audio_tracks_after", "audio_tracks_removed",
        "subtitle_tracks_before", "subtitle_tracks_after", "subtitle_tracks_removed",
        "attachments_before", "attachments_after", "attachments_removed",
      ]) stats = stats.addColumn(col, "integer");
      stats = stats
        .addColumn("duration_seconds", "real")
        .addColumn("phases_completed", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("phases_total", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("total_changes", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("video_source_codec", "text")
        .addColumn("video_target_codec", "text")
        .addColumn("video_transcode_skipped", "integer")
        .addColumn("video_skip_reason", "text")
        .addColumn("audio_tracks_transcoded", "integer")
        .addColumn("audio_tracks_preserved", "integer")
        .addColumn("encoder_type", "text")
        .addColumn("hash_before", "text")
        .addColumn("hash_after", "text")
        .addCheckConstraint("phases_le_total", sql`phases_completed <= phases_total`)
        .addCheckConstraint("size_change_consistent", sql`size_change IS NULL OR size_change = size_before - size_after`);
      await stats.execute();
      await db.schema.createIndex("stats_processed_at").on("processing_stats").column("processed_at").execute();
      await db.schema.createIndex("stats_policy_time").on("processing_stats").columns(["policy_name", "processed_at"]).execute();
      await db.schema.createIndex("stats_file_path").on("processing_stats").columns(["file_path", "processed_at"]).execute();
      await db.schema.createIndex("stats_file_id").on("processing_stats").column("file_id").execute();
      await db.schema.createIndex("stats_job").on("processing_stats").column("job_id").execute();

      const child = (name: string) =>
        db.schema
          .createTable(name)
          .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
          .addColumn("stats_id", "text", (c) => c.notNull().references("processing_stats.id").onDelete("cascade"));

      await child("action_results")
        .addColumn("seq", "integer", (c) => c.notNull())
        .addColumn("action_type", "text", (c) => c.notNull())
        .addColumn("track_type", "text")
        .addColumn("track_index", "integer")
        .addColumn("before_state", "text")
        .addColumn("after_state", "text")
        .addColumn("success", "integer", (c) => c.notNull())
        .addColumn("duration_ms", "real")
        .addColumn("rule_reference", "text")
        .addColumn("message", "text")
        .execute();
      await child("performance_metrics")
        .addColumn("seq", "integer", (c) => c.notNull())
        .addColumn("phase_name", "text", (c) => c.notNull())
        .addColumn("wall_time_seconds", "real")
        .addColumn("bytes_read", "integer")
        .addColumn("bytes_written", "integer")
        .addColumn("encoding_fps", "real")
        .addColumn("encoding_bitrate", "real")
        .execute();
      await child("plugin_metrics")
        .addColumn("plugin", "text", (c) => c.notNull())
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("num", "real")
        .addColumn("text", "text")
        .execute();
      await child("plugin_errors")
        .addColumn("plugin", "text", (c) => c.notNull())
        .addColumn("hook", "text", (c) => c.notNull())
        .addColumn("code", "text", (c) => c.notNull())
        .addColumn("message", "text", (c) => c.notNull())
        .execute();
      for (const table of ["action_results", "performance_metrics", "plugin_metrics", "plugin_errors"]) {
        await db.schema.createIndex(`${table}_stats`).on(table).column("stats_id").execute();
      }
      await db.schema.createIndex("plugin_metrics_key").on("plugin_metrics").columns(["plugin", "key"]).execute();

      let daily = db.schema
        .createTable("stats_daily")
        .addColumn("day", "text", (c) => c.notNull())
        .addColumn("policy_name", "text", (c) => c.notNull());
      for (const col of [
        "runs", "successes", "size_before", "size_after", "size_saved",
        "audio_removed", "subtitles_removed", "attachments_removed",
        "videos_transcoded", "videos_skipped", "audio_transcoded",
        "hardware_encodes", "software_encodes", "duration_count",
      ]) daily = daily.addColumn(col, "integer", (c) => c.notNull().defaultTo(0));
      await daily
        .addColumn("duration_sum", "real", (c) => c.notNull().defaultTo(0))
        .addColumn("first_at", "text", (c) => c.notNull())
        .addColumn("last_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("stats_daily_pk", ["day", "policy_name"])
        .execute();
    },
  },
  {
    version: 2,
    name: "runs in flight",
    async up(db) {
      // One row per file being processed, written before the work starts and removed once its
      // run is recorded: a row left behind means the process died (SIGKILL, power loss) mid-run.
      await db.schema
        .createTable("runs_in_flight")
        .addColumn("run_id", "text", (c) => c.primaryKey())
        .addColumn("file_path", "text", (c) => c.notNull())
        .addColumn("temp_prefix", "text", (c) => c.notNull())
        .addColumn("policy_name", "text", (c) => c.notNull())
        .addColumn("job_id", "text")
        .addColumn("host", "text", (c) => c.notNull())
        .addColumn("pid", "integer", (c) => c.notNull())
        .addColumn("child_pid", "integer")
        .addColumn("phase", "text")
        .addColumn("size_before", "integer")
        .addColumn("started_at", "text", (c) => c.notNull())
        .execute();
    },
  },
  {
    version: 3,
    name: "in-flight markers carry the run",
    async up(db) {
      // JSON: the file's facts and identity before the run, and (from the commit point on) the
      // run as it will be recorded, so a run killed after replacing its file is recorded right.
      await db.schema.alterTable("runs_in_flight").addColumn("before_facts", "text").execute();
      await db.schema.alterTable("runs_in_flight").addColumn("pending_run", "text").execute();
    },
  },
];

/** The schema version this build writes. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Brings a database up to LATEST_SCHEMA_VERSION, one transaction per migration.
 * Refuses a database written by a newer vpo instead of guessing at its schema.
 */
async function currentVersion(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom("schema_migrations").select((eb) => eb.fn.max("version").as("v")).executeTakeFirst();
  return Number(row?.v ?? 0);
}

/** Runs `fn` while holding the database's write lock, so only one process migrates at a time. */
export type Exclusive = (fn: () => Promise<void>) => Promise<void>;

/**
 * Brings a database up to LATEST_SCHEMA_VERSION. Refuses a database written by a newer vpo
 * instead of guessing at its schema. Several processes opening a new database at once are
 * safe: the version is read again, and migrations applied, under `exclusive`.
 */
export async function migrateToLatest(db: Kysely<Database>, location: string, exclusive: Exclusive): Promise<void> {
  const tooNew = (current: number) =>
    new VpoError(
      "DB_TOO_NEW",
      `Database "${location}" has schema version ${current}, but this vpo understands up to ${LATEST_SCHEMA_VERSION}. Upgrade vpo, or point --db at another database.`,
    );
  // Fast path without the write lock: an up-to-date database needs nothing.
  const known = await currentVersion(db).catch(() => 0);
  if (known > LATEST_SCHEMA_VERSION) throw tooNew(known);
  if (known === LATEST_SCHEMA_VERSION) return;
  await exclusive(async () => {
    await db.schema
      .createTable("schema_migrations")
      .ifNotExists()
      .addColumn("version", "integer", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("applied_at", "text", (c) => c.notNull())
      .execute();
    const current = await currentVersion(db);
    if (current > LATEST_SCHEMA_VERSION) throw tooNew(current);
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      await m.up(db);
      await db.insertInto("schema_migrations").values({ version: m.version, name: m.name, applied_at: new Date().toISOString() }).execute();
    }
  });
}
