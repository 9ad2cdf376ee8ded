import type { PolicyStats } from "../../core/mod.ts";
import { formatDuration, formatInstant, formatNumber, formatPercent, formatSavedBytes, formatSavedPercent, renderSection, renderTable } from "../format.ts";

/** The columns of `stats policies --format csv` and `stats policy --format csv`. */
export const POLICY_COLUMNS = [
  "policy_name", "files_processed", "success_rate", "total_size_saved", "avg_savings_percent",
  "audio_tracks_removed", "subtitle_tracks_removed", "attachments_removed", "videos_transcoded", "audio_transcoded",
  "avg_processing_time", "last_used",
] as const satisfies readonly (keyof PolicyStats)[];

/** One row per policy, in the order given (the sort is the repository's). */
export function renderPolicyTable(rows: PolicyStats[]): string {
  return renderTable(
    ["Policy", "Files", "Success", "Saved", "Avg saving", "Avg time", "Last used (UTC)"],
    rows.map((p) => [
      p.policy_name,
      formatNumber(p.files_processed),
      formatPercent(p.success_rate),
      formatSavedBytes(p.total_size_saved),
      formatSavedPercent(p.avg_savings_percent),
      formatDuration(p.avg_processing_time),
      formatInstant(p.last_used),
    ]),
    ["left", "right", "right", "right", "right", "right", "left"],
  );
}

/** Everything about one policy, as labelled lines. */
export function renderPolicyDetail(p: PolicyStats): string {
  return renderSection(`Policy ${p.policy_name}`, [
    ["Files processed", formatNumber(p.files_processed)],
    ["Success rate", formatPercent(p.success_rate)],
    ["Space saved", `${formatSavedBytes(p.total_size_saved)} (${formatSavedPercent(p.avg_savings_percent)})`],
    ["Audio tracks removed", formatNumber(p.audio_tracks_removed)],
    ["Subtitle tracks removed", formatNumber(p.subtitle_tracks_removed)],
    ["Attachments removed", formatNumber(p.attachments_removed)],
    ["Videos transcoded", formatNumber(p.videos_transcoded)],
    ["Audio tracks transcoded", formatNumber(p.audio_transcoded)],
    ["Avg processing time", formatDuration(p.avg_processing_time)],
    ["Last used (UTC)", formatInstant(p.last_used)],
  ]);
}
