import { type PerfSample, resolutionBucket } from "../../core/mod.ts";

/** What a performance series is made of: one policy, phase, video encoder and resolution bucket. */
export interface SeriesKey {
  policy: string;
  phase: string;
  /** "hevc/software", "h264/hardware", or "copy" when the run transcoded no video. */
  encoder: string;
  /** SD, 720p, 1080p, 2160p, or "unknown" for runs that recorded no video height. */
  resolution: string;
}

/** The two measures followed; for each, which way is worse. */
export const PERF_METRICS = {
  /** Wall time per GB read: higher is slower. */
  seconds_per_gb: { worse: "up" },
  /** ffmpeg's encoding frames per second: lower is slower. */
  encoding_fps: { worse: "down" },
} as const;
export type PerfMetric = keyof typeof PERF_METRICS;

/** One point of a series: a run's phase. */
export interface SeriesPoint {
  stats_id: string;
  processed_at: string;
  value: number;
}

export interface PerfSeries {
  key: SeriesKey;
  metric: PerfMetric;
  points: SeriesPoint[];
}

export function encoderOf(s: Pick<PerfSample, "video_transcode_skipped" | "video_target_codec" | "encoder_type">): string {
  if (s.video_transcode_skipped !== false || !s.video_target_codec) return "copy";
  return `${s.video_target_codec}/${s.encoder_type ?? "unknown"}`;
}

const GB = 1e9;

/**
 * Groups samples (oldest first) into series per (policy, phase, encoder, resolution) and metric.
 * A phase that read nothing gives no seconds-per-GB point; one without an fps reading, no fps point.
 */
export function buildSeries(samples: readonly PerfSample[]): PerfSeries[] {
  const all = new Map<string, PerfSeries>();
  const push = (key: SeriesKey, metric: PerfMetric, point: SeriesPoint) => {
    const id = JSON.stringify([key.policy, key.phase, key.encoder, key.resolution, metric]);
    const series = all.get(id) ?? all.set(id, { key, metric, points: [] }).get(id)!;
    series.points.push(point);
  };
  for (const s of samples) {
    const key: SeriesKey = { policy: s.policy_name, phase: s.phase_name, encoder: encoderOf(s), resolution: resolutionBucket(s.video_height) ?? "unknown" };
    if (s.wall_time_seconds !== null && s.bytes_read !== null && s.bytes_read > 0) {
      push(key, "seconds_per_gb", { stats_id: s.stats_id, processed_at: s.processed_at, value: s.wall_time_seconds / (s.bytes_read / GB) });
    }
    if (s.encoding_fps !== null && s.encoding_fps > 0) push(key, "encoding_fps", { stats_id: s.stats_id, processed_at: s.processed_at, value: s.encoding_fps });
  }
  return [...all.values()];
}
