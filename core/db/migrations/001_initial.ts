import { sql } from "kysely";
import type { Migration } from "./_types.ts";

export const initialSchema: Migration = {
    version: 1,
    name: "initial schema",
    async up(db, t) {
      await t
        .autoId(db.schema.createTable("files"), "id")
        .addColumn("path", t.text, (c) => c.notNull().unique())
        .addColumn("size_bytes", t.bytes)
        .addColumn("modified_at", t.text)
        .addColumn("content_hash", t.text)
        .addColumn("container", t.text)
        .addColumn("duration", t.seconds)
        .addColumn("bitrate", t.bytes)
        .addColumn("streams", t.text)
        .addColumn("scanned_at", t.text)
        .addColumn("scan_status", t.text, (c) => c.notNull().defaultTo("ok"))
        .addColumn("scan_error", t.text)
        .execute();

      await db.schema
        .createTable("jobs")
        .addColumn("id", t.text, (c) => c.primaryKey())
        .addColumn("type", t.text, (c) => c.notNull())
        .addColumn("status", t.text, (c) => c.notNull())
        .addColumn("created_at", t.text, (c) => c.notNull())
        .addColumn("started_at", t.text)
        .addColumn("completed_at", t.text)
        .addColumn("policy_name", t.text)
        .addColumn("summary", t.text)
        .addColumn("files_total", "integer")
        .addColumn("files_affected", "integer")
        .addColumn("error", t.text)
        .execute();
      await db.schema.createIndex("jobs_created_at").on("jobs").column("created_at").execute();

      let stats = db.schema
        .createTable("processing_stats")
        .addColumn("id", t.text, (c) => c.primaryKey())
        .addColumn("file_id", t.bytes, (c) => c.references("files.id").onDelete("set null"))
        .addColumn("file_path", t.text, (c) => c.notNull())
        .addColumn("job_id", t.text)
        .addColumn("processed_at", t.text, (c) => c.notNull())
        .addColumn("policy_name", t.text, (c) => c.notNull())
        .addColumn("status", t.text, (c) => c.notNull())
        .addColumn("success", "integer", (c) => c.notNull())
        .addColumn("error_message", t.text);
      for (const col of [
        "size_before", "size_after", "size_change",
        "audio_tracks_before", "audio_tracks_after", "audio_tracks_removed",
        "subtitle_tracks_before", "subtitle_tracks_after", "subtitle_tracks_removed",
        "attachments_before", "attachments_after", "attachments_removed",
      ]) stats = stats.addColumn(col, col.startsWith("size") ? t.bytes : "integer");
      stats = stats
        .addColumn("duration_seconds", t.seconds)
        .addColumn("phases_completed", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("phases_total", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("total_changes", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("video_source_codec", t.text)
        .addColumn("video_target_codec", t.text)
        .addColumn("video_transcode_skipped", "integer")
        .addColumn("video_skip_reason", t.text)
        .addColumn("audio_tracks_transcoded", "integer")
        .addColumn("audio_tracks_preserved", "integer")
        .addColumn("encoder_type", t.text)
        .addColumn("hash_before", t.text)
        .addColumn("hash_after", t.text)
        .addCheckConstraint("phases_le_total", sql`phases_completed <= phases_total`)
        .addCheckConstraint("size_change_consistent", sql`size_change IS NULL OR size_change = size_before - size_after`);
      await stats.execute();
      await db.schema.createIndex("stats_processed_at").on("processing_stats").column("processed_at").execute();
      await db.schema.createIndex("stats_policy_time").on("processing_stats").columns(["policy_name", "processed_at"]).execute();
      await db.schema.createIndex("stats_file_path").on("processing_stats").columns(["file_path", "processed_at"]).execute();
      await db.schema.createIndex("stats_file_id").on("processing_stats").column("file_id").execute();
      await db.schema.createIndex("stats_job").on("processing_stats").column("job_id").execute();

      const child = (name: string) =>
        t
          .autoId(db.schema.createTable(name), "id")
          .addColumn("stats_id", t.text, (c) => c.notNull().references("processing_stats.id").onDelete("cascade"));

      await child("action_results")
        .addColumn("seq", "integer", (c) => c.notNull())
        .addColumn("action_type", t.text, (c) => c.notNull())
        .addColumn("track_type", t.text)
        .addColumn("track_index", "integer")
        .addColumn("before_state", t.text)
        .addColumn("after_state", t.text)
        .addColumn("success", "integer", (c) => c.notNull())
        .addColumn("duration_ms", t.seconds)
        .addColumn("rule_reference", t.text)
        .addColumn("message", t.text)
        .execute();
      await child("performance_metrics")
        .addColumn("seq", "integer", (c) => c.notNull())
        .addColumn("phase_name", t.text, (c) => c.notNull())
        .addColumn("wall_time_seconds", t.seconds)
        .addColumn("bytes_read", t.bytes)
        .addColumn("bytes_written", t.bytes)
        .addColumn("encoding_fps", t.seconds)
        .addColumn("encoding_bitrate", t.seconds)
        .execute();
      await child("plugin_metrics")
        .addColumn("plugin", t.text, (c) => c.notNull())
        .addColumn("key", t.text, (c) => c.notNull())
        .addColumn("num", t.seconds)
        .addColumn("text", t.text)
        .execute();
      await child("plugin_errors")
        .addColumn("plugin", t.text, (c) => c.notNull())
        .addColumn("hook", t.text, (c) => c.notNull())
        .addColumn("code", t.text, (c) => c.notNull())
        .addColumn("message", t.text, (c) => c.notNull())
        .execute();
      for (const table of ["action_results", "performance_metrics", "plugin_metrics", "plugin_errors"]) {
        await db.schema.createIndex(`${table}_stats`).on(table).column("stats_id").execute();
      }
      await db.schema.createIndex("plugin_metrics_key").on("plugin_metrics").columns(["plugin", "key"]).execute();

      let daily = db.schema
        .createTable("stats_daily")
        .addColumn("day", t.text, (c) => c.notNull())
        .addColumn("policy_name", t.text, (c) => c.notNull());
      for (const col of [
        "runs", "successes", "size_before", "size_after", "size_saved",
        "audio_removed", "subtitles_removed", "attachments_removed",
        "videos_transcoded", "videos_skipped", "audio_transcoded",
        "hardware_encodes", "software_encodes", "duration_count",
      ]) daily = daily.addColumn(col, col.startsWith("size") ? t.bytes : "integer", (c) => c.notNull().defaultTo(0));
      await daily
        .addColumn("duration_sum", t.seconds, (c) => c.notNull().defaultTo(0))
        .addColumn("first_at", t.text, (c) => c.notNull())
        .addColumn("last_at", t.text, (c) => c.notNull())
        .addPrimaryKeyConstraint("stats_daily_pk", ["day", "policy_name"])
        .execute();
    },
  };
