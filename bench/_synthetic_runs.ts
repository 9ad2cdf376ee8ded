/**
 * Synthetic history in vpo's own export format (one run per NDJSON line, as `vpo stats export`
 * writes it), and databases filled with it through the real write path (storeRuns), so every
 * rollup is what recording those runs would have left.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { normalizeRunRecord, openDatabase, storeRuns } from "../core/mod.ts";

const START = Date.UTC(2024, 0, 1);
const POLICIES = ["strip", "transcode", "remux", "anime", "4k-hdr"];
const CODECS = ["h264", "hevc", "mpeg2video", "vp9"];
const NODES = ["alpha", "beta", "gamma"];
const LIBRARIES = ["/media/films", "/media/series", "/media/anime"];
const PLUGINS = ["size", "timing", "tracks", "hash", "quality", "audio"];

export interface SyntheticOptions {
  /** Plugin metrics per run (18 is the heavy case). */
  metrics?: number;
  /** Runs spread evenly over [START, end). */
  end?: number;
  /** Offsets ids (and paths) so two sets never collide. */
  idOffset?: number;
}

const hex = (i: number, c: string) => `sha256:${i.toString(16).padStart(8, "0")}${c.repeat(56)}`;

/** The i-th of `n` synthetic runs: two actions, two phases, `metrics` plugin metrics. */
export function syntheticRun(i: number, n: number, options: SyntheticOptions = {}): Record<string, unknown> {
  const metrics = options.metrics ?? 18;
  const end = options.end ?? Date.UTC(2026, 0, 1);
  const k = i + (options.idOffset ?? 0);
  const at = START + Math.floor((i * (end - START)) / n);
  const ok = k % 17 !== 0;
  const before = 1_000_000_000 + (k % 1000) * 3_000_000;
  const after = ok ? Math.round(before * (0.4 + (k % 50) / 100)) : null;
  const transcoded = k % 3 === 0;
  const source = CODECS[k % CODECS.length]!;
  const seconds = 30 + (k % 600) + 0.25;
  const library = LIBRARIES[k % LIBRARIES.length]!;
  const pluginMetrics: Record<string, Record<string, number | string | boolean>> = {};
  for (let m = 0; m < metrics; m++) {
    const plugin = PLUGINS[m % PLUGINS.length]!;
    (pluginMetrics[plugin] ??= {})[`m${m}`] = m % 6 === 5 ? `v${k % 7}` : m % 6 === 4 ? k % 2 === 0 : (k % 977) * (m + 1) + 0.5;
  }
  return {
    id: `${Math.floor(at / 1000).toString(16).padStart(8, "0")}-0000-7000-8000-${k.toString(16).padStart(12, "0")}`,
    file_path: `${library}/show-${k % 5000}/episode-${k}.mkv`,
    processed_at: new Date(at).toISOString(),
    policy_name: POLICIES[k % POLICIES.length]!,
    policy_digest: null,
    job_id: null,
    node: NODES[k % NODES.length]!,
    library,
    status: ok ? "success" : "failed",
    success: ok,
    error_message: ok ? null : "ffmpeg exited with code 1",
    size_before: before,
    size_after: after,
    size_change: after === null ? null : before - after,
    audio_tracks_before: 3, audio_tracks_after: 1, audio_tracks_removed: 2,
    subtitle_tracks_before: 4, subtitle_tracks_after: 1, subtitle_tracks_removed: 3,
    attachments_before: 1, attachments_after: 0, attachments_removed: 1,
    duration_seconds: seconds,
    phases_completed: ok ? 2 : 0,
    phases_total: 2,
    total_changes: 2,
    video_source_codec: source,
    video_target_codec: transcoded ? "hevc" : source,
    video_transcode_skipped: !transcoded,
    video_skip_reason: transcoded ? null : "codec allowed",
    video_height: [720, 1080, 2160][k % 3]!,
    audio_tracks_transcoded: transcoded ? 1 : 0,
    audio_tracks_preserved: 1,
    encoder_type: transcoded ? (k % 2 ? "hardware" : "software") : null,
    hash_before: hex(k, "a"),
    hash_after: ok ? hex(k, "b") : null,
    actions: [
      { action_type: "remove", track_type: "audio", track_index: 2, before_state: { codec: "ac3", language: "fre", channels: 6 }, after_state: null, success: true, duration_ms: 3.5, rule_reference: "keep_audio.languages", message: null },
      { action_type: "remove", track_type: "subtitle", track_index: 5, before_state: { codec: "subrip", language: "ger" }, after_state: null, success: true, duration_ms: 0.8, rule_reference: "keep_subtitles.languages", message: null },
    ],
    phases: [
      { phase_name: "analyze", wall_time_seconds: 1.25, bytes_read: before, bytes_written: 0, encoding_fps: null, encoding_bitrate: null },
      { phase_name: transcoded ? "transcode" : "remux", wall_time_seconds: seconds - 1.25, bytes_read: before, bytes_written: after ?? 0, encoding_fps: transcoded ? 48.5 : null, encoding_bitrate: transcoded ? 4_500_000 : null },
    ],
    plugin_metrics: pluginMetrics,
    plugin_errors: [],
  };
}

/** Writes `n` synthetic runs as NDJSON to `path` in 4 MiB chunks (memory stays flat). Reused when present. */
export async function syntheticNdjson(path: string, n: number, options: SyntheticOptions = {}): Promise<string> {
  if (existsSync(path)) return path;
  mkdirSync(dirname(path), { recursive: true });
  const building = `${path}.building`;
  const writer = Bun.file(building).writer({ highWaterMark: 4 << 20 });
  for (let i = 0; i < n; i++) {
    writer.write(`${JSON.stringify(syntheticRun(i, n, options))}\n`);
    if (i % 10_000 === 9_999) await writer.flush();
  }
  await writer.end();
  renameSync(building, path);
  return path;
}

/**
 * A database (SQLite path or postgres:// URL) holding `n` synthetic runs stored through storeRuns,
 * the path every run takes. A SQLite file is built beside and renamed, and reused when present;
 * a PostgreSQL database must be empty (the caller makes a fresh one).
 */
export async function syntheticDatabase(location: string, n: number, options: SyntheticOptions = {}): Promise<string> {
  const postgres = location.startsWith("postgres");
  if (!postgres && existsSync(location)) return location;
  if (!postgres) mkdirSync(dirname(location), { recursive: true });
  const building = postgres ? location : `${location}.building`;
  if (!postgres) for (const suffix of ["", "-wal", "-shm"]) rmSync(building + suffix, { force: true });
  const handle = await openDatabase(building);
  try {
    if (handle.sqlite) handle.sqlite.exec("PRAGMA synchronous = OFF");
    const batch = 5_000;
    for (let from = 0; from < n; from += batch) {
      const runs = [];
      for (let i = from; i < Math.min(n, from + batch); i++) runs.push(normalizeRunRecord(syntheticRun(i, n, options)));
      await storeRuns(handle.db, runs);
    }
    if (handle.sqlite) handle.sqlite.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  } finally {
    await handle.close();
  }
  if (!postgres) for (const suffix of ["", "-wal", "-shm"]) if (existsSync(building + suffix)) renameSync(building + suffix, location + suffix);
  return location;
}
