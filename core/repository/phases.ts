import type { Db } from "../db/handle.ts";
import { normalizeRange, num, numOrNull, runFilter } from "./_filters.ts";
import type { StatsFilter } from "./views.ts";

/** Time spent in one phase name over a window (successful and failed runs alike). */
export interface PhaseTime {
  phase_name: string;
  runs: number;
  total_seconds: number;
  avg_seconds: number;
  max_seconds: number;
  /** Mean ffmpeg encoding speed over the phases that reported one; null when none did. */
  avg_fps: number | null;
}

/** One of the slowest single phases. */
export interface SlowPhase {
  stats_id: string;
  processed_at: string;
  policy_name: string;
  file_path: string;
  phase_name: string;
  wall_time_seconds: number;
  bytes_read: number | null;
  encoding_fps: number | null;
}

const phaseRuns = (db: Db, filter: StatsFilter) =>
  db
    .selectFrom("performance_metrics")
    .innerJoin("processing_stats", "processing_stats.id", "performance_metrics.stats_id")
    .where(runFilter(normalizeRange(filter), filter))
    .where("performance_metrics.wall_time_seconds", "is not", null);

/**
 * Where the time went: per phase name, the runs, total, mean and longest wall time, most total
 * time first; and the `slowest` single phases with their runs.
 *
 * @example const { phases, slowest } = await getPhaseTimes(db, { since: "2026-01-01T00:00:00.000Z" });
 */
export async function getPhaseTimes(db: Db, filter: StatsFilter = {}, slowest = 10): Promise<{ phases: PhaseTime[]; slowest: SlowPhase[] }> {
  const grouped = await phaseRuns(db, filter)
    .select((eb) => [
      "performance_metrics.phase_name",
      eb.fn.countAll().as("runs"),
      eb.fn.sum("performance_metrics.wall_time_seconds").as("total"),
      eb.fn.max("performance_metrics.wall_time_seconds").as("max"),
      eb.fn.avg("performance_metrics.encoding_fps").as("fps"),
    ])
    .groupBy("performance_metrics.phase_name")
    .execute();
  const phases = grouped
    .map((r) => ({
      phase_name: r.phase_name,
      runs: num(r.runs),
      total_seconds: Math.round(num(r.total) * 1000) / 1000,
      avg_seconds: Math.round((num(r.total) / Math.max(1, num(r.runs))) * 1000) / 1000,
      max_seconds: num(r.max),
      avg_fps: numOrNull(r.fps),
    }))
    .sort((a, b) => b.total_seconds - a.total_seconds || (a.phase_name < b.phase_name ? -1 : 1));
  const rows = await phaseRuns(db, filter)
    .select([
      "processing_stats.id as stats_id", "processing_stats.processed_at", "processing_stats.policy_name", "processing_stats.file_path",
      "performance_metrics.phase_name", "performance_metrics.wall_time_seconds", "performance_metrics.bytes_read", "performance_metrics.encoding_fps",
    ])
    .orderBy("performance_metrics.wall_time_seconds", "desc")
    .orderBy("processing_stats.id")
    .limit(slowest)
    .execute();
  return {
    phases,
    slowest: rows.map((r) => ({ ...r, wall_time_seconds: num(r.wall_time_seconds), bytes_read: numOrNull(r.bytes_read), encoding_fps: numOrNull(r.encoding_fps) })),
  };
}
