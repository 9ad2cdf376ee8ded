import { Database } from "bun:sqlite";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { openDatabase } from "../core/mod.ts";

const START = Date.UTC(2024, 0, 1);
const POLICIES = ["strip", "transcode", "remux", "anime", "4k-hdr"];
const CODECS = ["h264", "hevc", "mpeg2video", "vp9"];

/**
 * A migrated SQLite database with `n` synthetic runs spread over the two years up to `end`
 * (five policies, ~6 % failures, a third transcoded), one plugin metric per run, and the
 * stats_daily rollup as recordRun would have kept it. Inserted with prepared statements in
 * 20k-row transactions (~1M runs in well under a minute). Reused when the file exists.
 */
export async function syntheticDatabase(path: string, n: number, end = Date.now()): Promise<string> {
  if (existsSync(path)) return path;
  mkdirSync(dirname(path), { recursive: true });
  const building = `${path}.building`;
  rmSync(building, { force: true });
  const opened = await openDatabase(building);
  await opened.close();
  const db = new Database(building);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF");
  const span = Math.max(1, end - START);
  const step = span / n;
  const run = db.prepare(`insert into processing_stats (id, file_path, processed_at, policy_name, status, success, error_message,
    size_before, size_after, size_change, audio_tracks_before, audio_tracks_after, audio_tracks_removed, subtitle_tracks_before,
    subtitle_tracks_after, subtitle_tracks_removed, attachments_before, attachments_after, attachments_removed, duration_seconds,
    phases_completed, phases_total, total_changes, video_source_codec, video_target_codec, video_transcode_skipped,
    video_skip_reason, audio_tracks_transcoded, audio_tracks_preserved, encoder_type, hash_before, hash_after)
    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 3, 1, 2, 4, 1, 3, 1, 0, 1, ?, 2, 2, 2, ?, ?, ?, ?, ?, 1, ?, null, null)`);
  const metric = db.prepare("insert into plugin_metrics (stats_id, plugin, key, num, text) values (?, 'size', 'bytes_saved', ?, null)");
  const insert = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const at = START + Math.floor(i * step);
      const id = `${Math.floor(at / 1000).toString(16).padStart(8, "0")}-0000-7000-8000-${i.toString(16).padStart(12, "0")}`;
      const ok = i % 17 !== 0;
      const before = 1_000_000_000 + (i % 1000) * 3_000_000;
      const after = ok ? Math.round(before * (0.4 + (i % 50) / 100)) : null;
      const transcoded = i % 3 === 0;
      const source = CODECS[i % CODECS.length]!;
      run.run(id, `/media/library/show-${i % 5000}/episode-${i}.mkv`, new Date(at).toISOString(), POLICIES[i % POLICIES.length]!,
        ok ? "success" : "failed", ok ? 1 : 0, ok ? null : "ffmpeg exited with code 1", before, after, after === null ? null : before - after,
        30 + (i % 600) + 0.25, source, transcoded ? "hevc" : source, transcoded ? 0 : 1, transcoded ? null : "codec allowed",
        transcoded ? 1 : 0, transcoded ? (i % 2 ? "hardware" : "software") : null);
      metric.run(id, after === null ? null : before - after);
    }
  });
  for (let i = 0; i < n; i += 20_000) insert(i, Math.min(n, i + 20_000));
  db.exec(`insert into stats_daily (day, policy_name, runs, successes, size_before, size_after, size_saved, audio_removed,
      subtitles_removed, attachments_removed, videos_transcoded, videos_skipped, audio_transcoded, hardware_encodes,
      software_encodes, duration_count, duration_sum, first_at, last_at)
    select substr(processed_at, 1, 10), policy_name, count(*), sum(success),
      sum(case when size_after is null then 0 else size_before end), coalesce(sum(size_after), 0), coalesce(sum(size_change), 0),
      sum(audio_tracks_removed), sum(subtitle_tracks_removed), sum(attachments_removed),
      sum(video_transcode_skipped = 0), sum(video_transcode_skipped = 1), sum(audio_tracks_transcoded),
      sum(encoder_type = 'hardware'), sum(encoder_type = 'software'), count(duration_seconds), sum(duration_seconds),
      min(processed_at), max(processed_at)
    from processing_stats group by 1, 2`);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  for (const suffix of ["", "-wal", "-shm"]) if (existsSync(building + suffix)) renameSync(building + suffix, path + suffix);
  return path;
}
