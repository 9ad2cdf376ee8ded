import { type SqlBool, sql } from "kysely";
import type { Db } from "../db/handle.ts";
import { normalizeRange, num, numOrNull, roundSeconds, runConditions, runFilter, shapeOf, valuesOf } from "./_filters.ts";
import { compiledOnce } from "../db/compiled_once.ts";
import type { TimeRange } from "../time_filter.ts";
import { phaseTotalsWith } from "./_phase_rollup.ts";

const DAY_MS = 86_400_000;
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

/**
 * Where the time went: per phase name, the runs, total, mean and longest wall time, most total
 * time first (from phase_rollup: the same at ten thousand runs as at ten million); and the
 * `slowest` single phases with their runs, through the index on wall time.
 *
 * @example const { phases, slowest } = await getPhaseTimes(db, { since: "2026-01-01T00:00:00.000Z" });
 */
export async function getPhaseTimes(db: Db, filter: StatsFilter = {}, slowest = 10): Promise<{ phases: PhaseTime[]; slowest: SlowPhase[] }> {
  // The slowest phases read in the same round trip as the totals.
  const range = normalizeRange(filter);
  const conditions = runConditions(range, filter);
  const slowestRead = compiledOnce(db, `the slowest phases${isShort(range) ? " of a short window" : ""} where ${shapeOf(conditions)}`, [...valuesOf(conditions), slowest], () =>
    slowestPhasesQuery(db, filter, slowest).compile(),
  );
  const { totals, alongside } = await phaseTotalsWith(db, filter, "phase", [slowestRead]);
  const rows = slowestOf(alongside[0] as SlowestRow[]);
  const phases = totals
    .filter((t) => t.runs > 0)
    .map((t) => ({
      phase_name: t.key,
      runs: t.runs,
      total_seconds: roundSeconds(t.total_seconds),
      avg_seconds: roundSeconds(t.total_seconds / t.runs),
      max_seconds: t.max_seconds,
      avg_fps: t.fps_count === 0 ? null : t.fps_sum / t.fps_count,
    }))
    .sort((a, b) => b.total_seconds - a.total_seconds || (a.phase_name < b.phase_name ? -1 : 1));
  return { phases, slowest: rows };
}

/** A window of under a day: its slowest phases are found by scanning its runs. */
const isShort = (range: TimeRange) => range.since !== undefined && range.until !== undefined && Date.parse(range.until) - Date.parse(range.since) < DAY_MS;

type SlowestRow = Awaited<ReturnType<ReturnType<typeof slowestPhasesQuery>["execute"]>>[number];
/** The rows of slowestPhasesQuery as SlowPhases. */
const slowestOf = (rows: SlowestRow[]): SlowPhase[] =>
  rows.map((r) => ({ ...r, wall_time_seconds: num(r.wall_time_seconds), bytes_read: numOrNull(r.bytes_read), encoding_fps: numOrNull(r.encoding_fps) }));

/**
 * The longest single phases of the window's runs. Walks the wall-time index from the longest
 * down and stops at the `limit`-th phase inside the window: a few rows for any window that
 * holds a fair share of history. SQLite is told to (CROSS JOIN keeps the phases outermost); a
 * window of under a day is scanned instead, through the processed_at index. (Exported for the plan test.)
 */
export function slowestPhasesQuery(db: Db, filter: StatsFilter, limit: number) {
  const range = normalizeRange(filter);
  const short = isShort(range);
  const columns = ["performance_metrics.phase_name", "performance_metrics.wall_time_seconds", "performance_metrics.bytes_read", "performance_metrics.encoding_fps"] as const;
  const runColumns = ["processing_stats.id as stats_id", "processing_stats.processed_at", "processing_stats.policy_name", "processing_stats.file_path"] as const;
  if (short) {
    return db
      .selectFrom("performance_metrics")
      .innerJoin("processing_stats", "processing_stats.id", "performance_metrics.stats_id")
      .where(runFilter(range, filter))
      .where("performance_metrics.wall_time_seconds", "is not", null)
      .select([...runColumns, ...columns])
      .orderBy("performance_metrics.wall_time_seconds", "desc")
      .orderBy("performance_metrics.id", "desc")
      .limit(limit);
  }
  // Whether a phase's run is in the window, asked per phase as a scalar subquery: as a join,
  // SQLite with planner statistics (after ANALYZE, `vpo db optimize`) first built a Bloom filter
  // over every run of the window — 300 ms at 1M runs for the ten phases it then read.
  const longest = db
    .selectFrom("performance_metrics")
    .where("performance_metrics.wall_time_seconds", "is not", null)
    .where((eb) => {
      const inWindow = eb.selectFrom("processing_stats").select(sql<number>`1`.as("hit")).whereRef("processing_stats.id", "=", "performance_metrics.stats_id").where(runFilter(range, filter));
      return sql<SqlBool>`(${inWindow}) is not null`;
    })
    .select(["performance_metrics.id", "performance_metrics.stats_id", ...columns])
    // Ties by the latest phase: the order of the index, so equal times (common) need no sort.
    .orderBy("performance_metrics.wall_time_seconds", "desc")
    .orderBy("performance_metrics.id", "desc")
    .limit(limit);
  return db
    .selectFrom(longest.as("longest"))
    .innerJoin("processing_stats", "processing_stats.id", "longest.stats_id")
    .select([...runColumns, "longest.phase_name", "longest.wall_time_seconds", "longest.bytes_read", "longest.encoding_fps"])
    .orderBy("longest.wall_time_seconds", "desc")
    .orderBy("longest.id", "desc");
}
