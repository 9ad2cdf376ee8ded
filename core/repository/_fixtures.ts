import type { TestDialect } from "../../tests/dialects.ts";
import { type Db, openDatabase } from "../db/open.ts";
import type { RunRecordInput } from "../record/mod.ts";
import { recordRun } from "./record.ts";

/**
 * Test-only: ten runs in the import format, spread over Fri 2026-01-30 … Mon 2026-02-02 (a month
 * boundary, and ISO weeks 2026-W05 → W06), three policies, every outcome and edge the views
 * treat specially. The expected numbers in the *_test.ts files are worked out by hand from this
 * table, so change it only together with them.
 *
 *  run  when (UTC)               policy     outcome      size       durat.  video        encoder
 *  R1   01-30 08:00              strip      success      1000→800   10      skipped      –
 *  R2   01-30 23:59:59.999       transcode  success      2000→1200  100     transcoded   hardware
 *  R3   01-31 00:00              transcode  failed       1500→?     5       transcoded   software
 *  R4   01-31 12:00              remux      success      500→600    2       skipped      –
 *  R5   01-31 18:30              strip      interrupted  ?→?        –       –            –
 *  R6   02-01 09:00              strip      success      3000→2500  20      skipped      –
 *  R7   02-01 23:00              transcode  success      4000→1000  300     transcoded   hardware
 *  R8   02-02 00:00              transcode  success      1000→400   60      transcoded   software
 *  R9   02-02 10:00              remux      failed       800→800    1       –            –
 *  R10  02-02 15:00              strip      success      1200→1000  15      skipped      –
 */
export const ID = {
  R1: "c0ffee01-0000-4000-8000-000000000001",
  R2: "c0ffee02-0000-4000-8000-000000000002",
  R3: "c0ffee03-0000-4000-8000-000000000003",
  R4: "d00d0004-0000-4000-8000-000000000004",
  R5: "d00d0005-0000-4000-8000-000000000005",
  R6: "d00d0006-0000-4000-8000-000000000006",
  R7: "d00d0007-0000-4000-8000-000000000007",
  R8: "beef0008-0000-4000-8000-000000000008",
  R9: "beef0009-0000-4000-8000-000000000009",
  R10: "beef0010-0000-4000-8000-000000000010",
} as const;

const A = "/media/movies/a.mkv";
const B = "/media/tv/b.mkv";
const phase = (phase_name: string, wall_time_seconds: number) => ({ phase_name, wall_time_seconds });

export const RUNS: RunRecordInput[] = [
  {
    id: ID.R1, processed_at: "2026-01-30T08:00:00Z", policy_name: "strip", file_path: A, success: true,
    size_before: 1000, size_after: 800, audio_tracks_before: 3, audio_tracks_after: 1, subtitle_tracks_before: 4,
    subtitle_tracks_after: 1, attachments_before: 2, attachments_after: 0, duration_seconds: 10,
    video_source_codec: "hevc", video_target_codec: "hevc", video_transcode_skipped: true, video_skip_reason: "already hevc",
    audio_tracks_transcoded: 0,
    actions: [
      { action_type: "remove", track_type: "audio", track_index: 2, before_state: { codec: "ac3", language: "fre" }, rule_reference: "keep_audio.languages", duration_ms: 3 },
      { action_type: "remove", track_type: "subtitle", track_index: 4, before_state: { language: "ger" }, after_state: null },
    ],
    phases: [{ phase_name: "remux", wall_time_seconds: 9.5, bytes_read: 1000, bytes_written: 800 }],
    plugin_metrics: { size: { bytes_saved: 200 }, hash: { algo: "sha256" } },
  },
  {
    id: ID.R2, processed_at: "2026-01-30T23:59:59.999Z", policy_name: "transcode", file_path: B, success: true,
    size_before: 2000, size_after: 1200, audio_tracks_before: 2, audio_tracks_after: 2, subtitle_tracks_before: 1,
    subtitle_tracks_after: 1, attachments_before: 0, attachments_after: 0, duration_seconds: 100,
    video_source_codec: "h264", video_target_codec: "hevc", video_transcode_skipped: false, encoder_type: "hardware",
    audio_tracks_transcoded: 1,
    actions: [{ action_type: "transcode", track_type: "video", track_index: 0, after_state: { codec: "hevc" } }],
    phases: [phase("transcode", 90), phase("remux", 10)],
    plugin_metrics: { size: { bytes_saved: 800 }, hash: { algo: "sha256" } },
  },
  {
    id: ID.R3, processed_at: "2026-01-31T00:00:00Z", policy_name: "transcode", file_path: "/media/tv/c.mkv", success: false,
    error_message: "ffmpeg exited with code 1", size_before: 1500, audio_tracks_before: 2, duration_seconds: 5,
    video_source_codec: "h264", video_target_codec: "hevc", video_transcode_skipped: false, encoder_type: "software",
    actions: [{ action_type: "transcode", track_type: "video", track_index: 0, success: false, message: "encoder error" }],
    phases: [phase("transcode", 5)], phases_completed: 0,
    plugin_errors: [{ plugin: "transcode", hook: "afterRun", code: "PLUGIN_HOOK_FAILED", message: "no output file" }],
  },
  {
    id: ID.R4, processed_at: "2026-01-31T12:00:00Z", policy_name: "remux", file_path: "/media/movies/d.avi", success: true,
    size_before: 500, size_after: 600, audio_tracks_before: 1, audio_tracks_after: 1, subtitle_tracks_before: 0,
    subtitle_tracks_after: 0, duration_seconds: 2, video_transcode_skipped: true,
    plugin_metrics: { size: { bytes_saved: -100 } },
  },
  {
    id: ID.R5, processed_at: "2026-01-31T18:30:00Z", policy_name: "strip", file_path: "/media/movies/e.mkv", success: false,
    status: "interrupted", error_message: "interrupted by SIGINT", audio_tracks_before: 2,
    plugin_errors: [{ plugin: "hash", hook: "beforeRun", code: "PLUGIN_TIMEOUT", message: "timed out after 30000 ms" }],
  },
  {
    id: ID.R6, processed_at: "2026-02-01T09:00:00Z", policy_name: "strip", file_path: A, success: true,
    size_before: 3000, size_after: 2500, audio_tracks_before: 4, audio_tracks_after: 2, subtitle_tracks_before: 2,
    subtitle_tracks_after: 0, attachments_before: 1, attachments_after: 1, duration_seconds: 20, video_transcode_skipped: true,
    actions: [
      { action_type: "remove", track_type: "audio", track_index: 1 },
      { action_type: "remove", track_type: "subtitle", track_index: 3 },
    ],
  },
  {
    id: ID.R7, processed_at: "2026-02-01T23:00:00Z", policy_name: "transcode", file_path: B, success: true,
    size_before: 4000, size_after: 1000, audio_tracks_before: 2, audio_tracks_after: 1, subtitle_tracks_before: 0,
    subtitle_tracks_after: 0, duration_seconds: 300, video_source_codec: "h264", video_target_codec: "hevc",
    video_transcode_skipped: false, encoder_type: "hardware", audio_tracks_transcoded: 1,
    actions: [{ action_type: "transcode", track_type: "video", track_index: 0 }],
    phases: [phase("transcode", 290), phase("remux", 10)],
    plugin_metrics: { size: { bytes_saved: 3000 }, transcode: { fps: 48.5, codec: "hevc" } },
  },
  {
    id: ID.R8, processed_at: "2026-02-02T00:00:00Z", policy_name: "transcode", file_path: "/media/tv/f.mkv", success: true,
    size_before: 1000, size_after: 400, audio_tracks_before: 2, audio_tracks_after: 2, duration_seconds: 60,
    video_source_codec: "mpeg2video", video_target_codec: "h264", video_transcode_skipped: false, encoder_type: "software",
    audio_tracks_transcoded: 2,
    actions: [{ action_type: "transcode", track_type: "video", track_index: 0 }],
    phases: [phase("transcode", 55), phase("remux", 5)],
    plugin_metrics: { transcode: { fps: 30.5, codec: "h264" } },
  },
  {
    id: ID.R9, processed_at: "2026-02-02T10:00:00Z", policy_name: "remux", file_path: "/media/movies/g.avi", success: false,
    error_message: "container not supported", size_before: 800, size_after: 800, duration_seconds: 1,
  },
  {
    id: ID.R10, processed_at: "2026-02-02T15:00:00Z", policy_name: "strip", file_path: A, success: true,
    size_before: 1200, size_after: 1000, audio_tracks_before: 3, audio_tracks_after: 2, subtitle_tracks_before: 3,
    subtitle_tracks_after: 1, attachments_before: 0, attachments_after: 0, duration_seconds: 15, video_transcode_skipped: true,
    actions: [{ action_type: "remove", track_type: "subtitle", track_index: 2 }],
    phases: [phase("remux", 14)],
  },
];

/** A fresh database of the dialect holding `runs`; `close` closes it (the temp files go with the test run). */
export async function openTestDb(dialect: TestDialect, runs: RunRecordInput[] = RUNS): Promise<{ db: Db; close(): Promise<void> }> {
  const opened = await openDatabase(await dialect.newLocation());
  // One at a time, as runs arrive in practice, so the rollup is built by one upsert per run.
  for (const run of runs) await recordRun(opened.db, run);
  return { db: opened.db, close: () => opened.close() };
}
