import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { CompiledQuery } from "kysely";
import type { Db } from "../db/handle.ts";
import { ID, openTestDb } from "./_fixtures.ts";
import { getRunDetail } from "./run_detail.ts";
import { resolveRunId, runIdPrefixQuery } from "./run_id.ts";
import { forEachDialect } from "../../tests/dialects.ts";

forEachDialect("run detail", (dialect) => {
let db: Db;
let close: () => Promise<void>;
beforeAll(async () => ({ db, close } = await openTestDb(dialect)));
afterAll(() => close());

describe("getRunDetail", () => {
  test("returns the whole run: row with boolean flags, actions with parsed state, phases, metrics", async () => {
    expect(await getRunDetail(db, ID.R1)).toEqual({
      id: ID.R1,
      file_id: 1, // the first file recorded
      file_path: "/media/movies/a.mkv",
      job_id: null,
      processed_at: "2026-01-30T08:00:00.000Z",
      policy_name: "strip",
      policy_digest: null,
      node: null,
      library: null,
      status: "success",
      success: true,
      error_message: null,
      failure_command: null,
      failure_output: null,
      size_before: 1000,
      size_after: 800,
      size_change: 200,
      audio_tracks_before: 3,
      audio_tracks_after: 1,
      audio_tracks_removed: 2,
      subtitle_tracks_before: 4,
      subtitle_tracks_after: 1,
      subtitle_tracks_removed: 3,
      attachments_before: 2,
      attachments_after: 0,
      attachments_removed: 2,
      duration_seconds: 10,
      phases_completed: 1,
      phases_total: 1,
      total_changes: 2,
      video_source_codec: "hevc",
      video_target_codec: "hevc",
      video_transcode_skipped: true,
      video_skip_reason: "already hevc",
      video_height: null,
      audio_tracks_transcoded: 0,
      audio_tracks_preserved: null,
      encoder_type: null,
      hash_before: null,
      hash_after: null,
      actions: [
        {
          seq: 0, action_type: "remove", track_type: "audio", track_index: 2, before_state: { codec: "ac3", language: "fre" },
          after_state: null, success: true, duration_ms: 3, rule_reference: "keep_audio.languages", message: null,
        },
        {
          seq: 1, action_type: "remove", track_type: "subtitle", track_index: 4, before_state: { language: "ger" },
          after_state: null, success: true, duration_ms: null, rule_reference: null, message: null,
        },
      ],
      phases: [{ seq: 0, phase_name: "remux", wall_time_seconds: 9.5, bytes_read: 1000, bytes_written: 800, encoding_fps: null, encoding_bitrate: null }],
      plugin_metrics: { size: { bytes_saved: 200 }, hash: { algo: "sha256" } },
      plugin_errors: [],
    });
  });

  test("a failed run keeps its failed action, plugin errors and phase order", async () => {
    const r3 = await getRunDetail(db, ID.R3);
    expect(r3).toMatchObject({ status: "failed", success: false, error_message: "ffmpeg exited with code 1", phases_completed: 0, phases_total: 1 });
    expect(r3.actions).toMatchObject([{ seq: 0, success: false, message: "encoder error" }]);
    expect(r3.plugin_errors).toEqual([{ plugin: "transcode", hook: "afterRun", code: "PLUGIN_HOOK_FAILED", message: "no output file" }]);
    expect((await getRunDetail(db, ID.R7)).phases.map((p) => p.phase_name)).toEqual(["transcode", "remux"]);
  });

  test("accepts a unique prefix of 4 or more characters", async () => {
    expect((await getRunDetail(db, "c0ffee02")).id).toBe(ID.R2);
    expect((await getRunDetail(db, "beef0010")).id).toBe(ID.R10);
    expect(await resolveRunId(db, "d00d0006-0000")).toBe(ID.R6);
  });

  test("an ambiguous prefix throws AMBIGUOUS_ID listing the candidates", async () => {
    const error = await getRunDetail(db, "c0ffee").catch((e) => e);
    expect(error).toMatchObject({ code: "AMBIGUOUS_ID" });
    expect(error.details).toEqual([
      { id: ID.R1, processed_at: "2026-01-30T08:00:00.000Z", file_path: "/media/movies/a.mkv" },
      { id: ID.R2, processed_at: "2026-01-30T23:59:59.999Z", file_path: "/media/tv/b.mkv" },
      { id: ID.R3, processed_at: "2026-01-31T00:00:00.000Z", file_path: "/media/tv/c.mkv" },
    ]);
    for (const id of [ID.R1, ID.R2, ID.R3]) expect(error.message).toContain(id);
  });

  test("an unknown id throws NOT_FOUND naming it", async () => {
    await expect(getRunDetail(db, "ffff")).rejects.toMatchObject({ code: "NOT_FOUND", message: 'No run with id "ffff"' });
  });

  test("a prefix under 4 characters throws INVALID_ARGUMENT", async () => {
    await expect(getRunDetail(db, "c0f")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(getRunDetail(db, "")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  test("an ambiguous prefix lists at most 10 candidates and says there are more", async () => {
    const runs = Array.from({ length: 12 }, (_, i) => ({
      id: `abcd00${String(i).padStart(2, "0")}-0000-4000-8000-000000000000`,
      processed_at: "2026-05-01T00:00:00Z", policy_name: "p", file_path: `/m/${i}.mkv`, success: true,
    }));
    const other = await openTestDb(dialect, runs);
    try {
      const error = await resolveRunId(other.db, "abcd").catch((e) => e);
      expect(error).toMatchObject({ code: "AMBIGUOUS_ID" });
      expect(error.details).toHaveLength(10);
      expect(error.message).toContain("and more");
    } finally {
      await other.close();
    }
  });

  if (dialect.name === "sqlite") test("prefix lookup searches the primary-key index rather than scanning the table", async () => {
    const compiled = runIdPrefixQuery(db, "c0ffee").compile();
    const plan = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${compiled.sql}`, [...compiled.parameters]));
    const details = plan.rows.map((r) => r.detail).join("\n");
    expect(details).toMatch(/SEARCH processing_stats USING (COVERING )?INDEX sqlite_autoindex_processing_stats_1 \(id>\? AND id<\?\)/);
    expect(details).not.toMatch(/SCAN processing_stats/);
  });
});
});
