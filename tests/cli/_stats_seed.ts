import { copyFileSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunRecordInput } from "../../core/mod.ts";
import { tempDir, vpo } from "./_cli.ts";

/**
 * Eight runs in the import format for the `vpo stats` CLI tests; the expected numbers in the
 * stats_*_test.ts files are worked out by hand from this table (M = 1 MiB), so change them together.
 * Fri 2026-02-27 … Tue 2026-03-31: a month boundary and ISO weeks W09, W10, W14.
 *
 *  run  when (UTC)            policy     outcome      size (M)    dur.  video              encoder   a/s/att removed
 *  S1   02-27 09:00           strip      success      4000→3000   120   hevc skipped       –         2/4/2
 *  S2   02-28 23:30           transcode  success      8000→3000   3600  h264→hevc          hardware  0/0/0
 *  S3   03-01 00:00           transcode  failed       5000→?      30    h264→hevc          software  –
 *  S4   03-02 08:00           strip      success      1000→1200   45    skipped            –         0/0(+1)/–   (grew)
 *  S5   03-02 12:00           remux      success      700→700     5     –                  –         0/–/–       (no change)
 *  S6   03-03 20:00           strip      interrupted  ?           –     –                  –         –
 *  S7   03-31 23:59:59        transcode  success      2000→1000   1800  h264→hevc          software  2/2/1
 *  S8   04-01 01:30+02:00     remux      success      900→850     60    –                  –         –
 *       (= 03-31 23:30 UTC)
 */
export const M = 1024 * 1024;

export const SEED_ID = {
  S1: "5eed0001-0000-4000-8000-000000000001",
  S2: "5eed0002-0000-4000-8000-000000000002",
  S3: "5eed0003-0000-4000-8000-000000000003",
  S4: "5eed0004-0000-4000-8000-000000000004",
  S5: "5eed0005-0000-4000-8000-000000000005",
  S6: "5eed0006-0000-4000-8000-000000000006",
  S7: "5eed0007-0000-4000-8000-000000000007",
  S8: "5eed0008-0000-4000-8000-000000000008",
} as const;

export const ALPHA = "/lib/movies/alpha.mkv";
export const BETA = "/lib/movies/beta.mkv";
/** A path CSV must quote (RFC 4180): a comma and double quotes. */
export const ZETA = '/lib/movies/zeta, "director\'s cut".mkv';
const SHA = (c: string) => `sha256:${c.repeat(64)}`;

export const SEED_RUNS: RunRecordInput[] = [
  {
    id: SEED_ID.S1, processed_at: "2026-02-27T09:00:00Z", policy_name: "strip", file_path: ALPHA, success: true,
    size_before: 4000 * M, size_after: 3000 * M, audio_tracks_before: 4, audio_tracks_after: 2,
    subtitle_tracks_before: 5, subtitle_tracks_after: 1, attachments_before: 2, attachments_after: 0, duration_seconds: 120,
    video_source_codec: "hevc", video_target_codec: "hevc", video_transcode_skipped: true, video_skip_reason: "already hevc",
    audio_tracks_transcoded: 0, audio_tracks_preserved: 2, hash_before: SHA("a"), hash_after: SHA("b"),
    actions: [
      { action_type: "remove", track_type: "audio", track_index: 2, before_state: { codec: "ac3", language: "fre" }, rule_reference: "keep_audio", duration_ms: 4 },
      { action_type: "remove", track_type: "audio", track_index: 3, before_state: { codec: "dts", language: "ger" }, rule_reference: "keep_audio" },
    ],
    phases: [{ phase_name: "remux", wall_time_seconds: 118.5, bytes_read: 4000 * M, bytes_written: 3000 * M }],
    plugin_metrics: { size: { bytes_saved: 1000 * M }, tracks: { languages: "eng,jpn", kept_default: true } },
  },
  {
    id: SEED_ID.S2, processed_at: "2026-02-28T23:30:00Z", policy_name: "transcode", file_path: BETA, success: true,
    size_before: 8000 * M, size_after: 3000 * M, audio_tracks_before: 2, audio_tracks_after: 2, subtitle_tracks_before: 1,
    subtitle_tracks_after: 1, attachments_before: 0, attachments_after: 0, duration_seconds: 3600,
    video_source_codec: "h264", video_target_codec: "hevc", video_transcode_skipped: false, encoder_type: "hardware",
    audio_tracks_transcoded: 1, audio_tracks_preserved: 1,
    actions: [{ action_type: "transcode", track_type: "video", track_index: 0, after_state: { codec: "hevc" }, duration_ms: 3_500_000 }],
    phases: [
      { phase_name: "transcode", wall_time_seconds: 3500, encoding_fps: 41.25, encoding_bitrate: 4_500_000 },
      { phase_name: "remux", wall_time_seconds: 100 },
    ],
    plugin_metrics: { size: { bytes_saved: 5000 * M } },
  },
  {
    id: SEED_ID.S3, processed_at: "2026-03-01T00:00:00Z", policy_name: "transcode", file_path: "/lib/tv/gamma.mkv", success: false,
    error_message: "ffmpeg exited with code 1", size_before: 5000 * M, duration_seconds: 30,
    video_source_codec: "h264", video_target_codec: "hevc", video_transcode_skipped: false, encoder_type: "software",
    phases: [{ phase_name: "transcode", wall_time_seconds: 30 }], phases_completed: 0,
    plugin_errors: [{ plugin: "hash", hook: "afterRun", code: "PLUGIN_HOOK_FAILED", message: "no output file" }],
  },
  {
    id: SEED_ID.S4, processed_at: "2026-03-02T08:00:00Z", policy_name: "strip", file_path: "/lib/tv/delta.mkv", success: true,
    size_before: 1000 * M, size_after: 1200 * M, audio_tracks_before: 1, audio_tracks_after: 1, subtitle_tracks_before: 3,
    subtitle_tracks_after: 4, duration_seconds: 45, video_transcode_skipped: true, video_skip_reason: "policy keeps video",
  },
  {
    id: SEED_ID.S5, processed_at: "2026-03-02T12:00:00Z", policy_name: "remux", file_path: ALPHA, success: true,
    size_before: 700 * M, size_after: 700 * M, audio_tracks_before: 2, audio_tracks_after: 2, duration_seconds: 5,
  },
  {
    id: SEED_ID.S6, processed_at: "2026-03-03T20:00:00Z", policy_name: "strip", file_path: BETA, success: false,
    status: "interrupted", error_message: "interrupted by SIGINT",
  },
  {
    id: SEED_ID.S7, processed_at: "2026-03-31T23:59:59Z", policy_name: "transcode", file_path: "/lib/movies/epsilon.mkv", success: true,
    size_before: 2000 * M, size_after: 1000 * M, audio_tracks_before: 3, audio_tracks_after: 1, subtitle_tracks_before: 2,
    subtitle_tracks_after: 0, attachments_before: 1, attachments_after: 0, duration_seconds: 1800,
    video_source_codec: "h264", video_target_codec: "hevc", video_transcode_skipped: false, encoder_type: "software",
    audio_tracks_transcoded: 2, audio_tracks_preserved: 1,
  },
  {
    id: SEED_ID.S8, processed_at: "2026-04-01T01:30:00+02:00", policy_name: "remux", file_path: ZETA, success: true,
    size_before: 900 * M, size_after: 850 * M, duration_seconds: 60,
  },
];

/** The seed as NDJSON, one run per line. */
export const seedNdjson = (runs: RunRecordInput[] = SEED_RUNS): string => runs.map((r) => JSON.stringify(r)).join("\n") + "\n";

let template: string | undefined;

/**
 * A fresh data dir whose database holds the seed, imported once with the real CLI and then
 * copied (a copy costs far less than another subprocess).
 */
export async function seededDataDir(): Promise<string> {
  if (!template) {
    const dir = tempDir("vpo-seed-");
    writeFileSync(join(dir, "seed.ndjson"), seedNdjson());
    const imported = await vpo(["stats", "import", "seed.ndjson"], { dataDir: dir });
    if (imported.code !== 0) throw new Error(`seeding failed (${imported.code}): ${imported.stderr}`);
    template = dir;
  }
  const dir = tempDir();
  for (const suffix of ["", "-wal", "-shm"]) {
    const from = join(template, `library.db${suffix}`);
    if (existsSync(from)) copyFileSync(from, join(dir, `library.db${suffix}`));
  }
  return dir;
}
