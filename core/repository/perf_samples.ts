import type { Db } from "../db/handle.ts";
import { normalizeRange, numOrNull, runFilter } from "./_filters.ts";
import type { StatsFilter } from "./views.ts";

/** One phase of one successful run, as performance regression detection reads it. */
export interface PerfSample {
  stats_id: string;
  processed_at: string;
  policy_name: string;
  phase_name: string;
  video_target_codec: string | null;
  encoder_type: string | null;
  video_transcode_skipped: boolean | null;
  video_height: number | null;
  wall_time_seconds: number | null;
  bytes_read: number | null;
  encoding_fps: number | null;
}

/**
 * Every phase of every successful run in the window (and scope), oldest first (ties by run id and
 * phase order): the raw points of the performance series. Failed runs are left out: how fast a
 * run failed says nothing about how fast the work goes.
 */
export async function getPerfSamples(db: Db, filter: StatsFilter = {}): Promise<PerfSample[]> {
  const rows = await db
    .selectFrom("performance_metrics")
    .innerJoin("processing_stats", "processing_stats.id", "performance_metrics.stats_id")
    .where(runFilter(normalizeRange(filter), filter))
    .where("processing_stats.success", "=", 1)
    .select([
      "processing_stats.id as stats_id", "processing_stats.processed_at", "processing_stats.policy_name", "performance_metrics.phase_name",
      "processing_stats.video_target_codec", "processing_stats.encoder_type", "processing_stats.video_transcode_skipped", "processing_stats.video_height",
      "performance_metrics.wall_time_seconds", "performance_metrics.bytes_read", "performance_metrics.encoding_fps",
    ])
    .orderBy("processing_stats.processed_at")
    .orderBy("processing_stats.id")
    .orderBy("performance_metrics.seq")
    .execute();
  return rows.map((r) => ({
    ...r,
    video_transcode_skipped: r.video_transcode_skipped === null ? null : Number(r.video_transcode_skipped) === 1,
    video_height: numOrNull(r.video_height),
    wall_time_seconds: numOrNull(r.wall_time_seconds),
    bytes_read: numOrNull(r.bytes_read),
    encoding_fps: numOrNull(r.encoding_fps),
  }));
}
