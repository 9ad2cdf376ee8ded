import type { Db } from "../db/handle.ts";
import { exactInteger } from "../json.ts";
import { normalizeRange, roundSeconds, type TotalsSource } from "./_filters.ts";
import { queryTotals, savedBytes, savingsPercent, type Totals, WORK_COLUMNS } from "./_totals.ts";
import type { StatsFilter, StatsSummary } from "./views.ts";

/**
 * Library-wide totals over a time window, optionally for one policy, library or node. Whole months
 * inside the window are read from the month tier of stats_rollup, the other whole days from its
 * daily rows, the whole hours of the partial days at its edges (when a bound is off midnight, as
 * `7d` always is) from its hour tier, and only the partial edge hours from processing_stats — or,
 * for an edge covering most of its hour (day), from the hour's (day's) row less the runs (hours)
 * of the rest of it (see complementEdges). The result is exactly what a full scan would give.
 *
 * @example
 * const range = parseTimeRange({ since: "7d" });
 * const s = await getSummary(db, { ...range, policy: "strip" });
 * console.log(s.total_size_saved, s.success_rate);
 */
export async function getSummary(db: Db, filter: StatsFilter = {}): Promise<StatsSummary> {
  return summaryFrom(db, filter, "auto");
}

/** getSummary with the source chosen; exported for the tests that all sources agree. */
export async function summaryFrom(db: Db, filter: StatsFilter, source: TotalsSource): Promise<StatsSummary> {
  const [row] = await queryTotals(db, { ...filter, range: normalizeRange(filter), group: "all", source, columns: SUMMARY_COLUMNS });
  return toSummary(row!.totals);
}

/** What toSummary reads (not the duration histogram, nor the failures: runs less successes). */
const SUMMARY_COLUMNS = [
  ...WORK_COLUMNS, "successes", "interruptions", "videos_skipped", "hardware_encodes", "software_encodes", "first_at", "last_at",
] as const;

/** A summary from totals (also used by reports and comparisons). */
export function toSummary(t: Totals): StatsSummary {
  return {
    total_files_processed: t.runs,
    total_successful: t.successes,
    total_failed: t.runs - t.successes,
    total_interrupted: t.interruptions,
    success_rate: t.runs === 0 ? 0 : t.successes / t.runs,
    total_size_before: exactInteger(t.size_before),
    total_size_after: exactInteger(t.size_after),
    total_size_saved: exactInteger(savedBytes(t)),
    avg_savings_percent: savingsPercent(t),
    total_audio_removed: t.audio_removed,
    total_subtitles_removed: t.subtitles_removed,
    total_attachments_removed: t.attachments_removed,
    total_videos_transcoded: t.videos_transcoded,
    total_videos_skipped: t.videos_skipped,
    total_audio_transcoded: t.audio_transcoded,
    avg_processing_time: t.duration_count === 0 ? null : roundSeconds(t.duration_sum / t.duration_count),
    total_processing_time: roundSeconds(t.duration_sum),
    earliest_processing: t.first_at,
    latest_processing: t.last_at,
    hardware_encodes: t.hardware_encodes,
    software_encodes: t.software_encodes,
  };
}
