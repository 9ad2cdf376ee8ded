import type { BreakdownBy, BreakdownRow } from "../../core/mod.ts";
import { formatBytes, formatDuration, formatInstant, formatNumber, formatPercent, formatSavedBytes, formatSavedPercent, renderTable } from "../format.ts";

/** The columns of `stats nodes|libraries --format csv`. */
export const BREAKDOWN_COLUMNS = [
  "name", "files_processed", "successes", "failures", "success_rate", "total_size_before", "total_size_after", "total_size_saved",
  "avg_savings_percent", "audio_tracks_removed", "subtitle_tracks_removed", "attachments_removed", "videos_transcoded",
  "audio_transcoded", "avg_processing_time", "first_used", "last_used",
] as const satisfies readonly (keyof BreakdownRow)[];

/** One row per node or library, as the repository ordered them. */
export function renderBreakdown(by: BreakdownBy, rows: BreakdownRow[]): string {
  return renderTable(
    [by === "node" ? "Node" : "Library", "Files", "Failed", "Success", "Before", "Saved", "Avg saving", "Avg time", "Last (UTC)"],
    rows.map((r) => [
      r.name ?? `(no ${by})`,
      formatNumber(r.files_processed),
      formatNumber(r.failures),
      formatPercent(r.success_rate),
      formatBytes(r.total_size_before),
      formatSavedBytes(r.total_size_saved),
      formatSavedPercent(r.avg_savings_percent),
      formatDuration(r.avg_processing_time),
      formatInstant(r.last_used),
    ]),
    ["left", "right", "right", "right", "right", "right", "right", "right", "left"],
  );
}
