import type { StatsSummary } from "../../core/mod.ts";
import { formatBytes, formatDuration, formatInstant, formatNumber, formatPercent, renderSection } from "../format.ts";

/** `vpo stats summary` (and the end of `vpo demo`) as sections of label–value lines. */
export function renderSummary(s: StatsSummary): string {
  const pct = (n: number) => (s.total_files_processed ? ` (${formatPercent(n / s.total_files_processed)})` : "");
  const savedBytes = Number(s.total_size_saved);
  const saved =
    Number(s.total_size_before) === 0 && Number(s.total_size_after) === 0
      ? "—" // no successful run reported both sizes
      : savedBytes === 0
        ? "no change"
        : savedBytes > 0
          ? `${formatBytes(savedBytes)} (${s.avg_savings_percent.toFixed(1)}%)`
          : `${formatBytes(-savedBytes)} larger (${(-s.avg_savings_percent).toFixed(1)}%)`;
  return [
    renderSection("Files processed", [
      ["Total", formatNumber(s.total_files_processed)],
      ["Successful", `${formatNumber(s.total_successful)}${pct(s.total_successful)}`],
      ["Failed", `${formatNumber(s.total_failed)}${pct(s.total_failed)}`],
    ]),
    renderSection("Space", [
      ["Before", formatBytes(s.total_size_before)],
      ["After", formatBytes(s.total_size_after)],
      [savedBytes >= 0 ? "Saved" : "Grew", saved],
    ]),
    renderSection("Tracks removed", [
      ["Audio", formatNumber(s.total_audio_removed)],
      ["Subtitles", formatNumber(s.total_subtitles_removed)],
      ["Attachments", formatNumber(s.total_attachments_removed)],
    ]),
    renderSection("Transcoding", [
      ["Videos transcoded", formatNumber(s.total_videos_transcoded)],
      ["Videos skipped", formatNumber(s.total_videos_skipped)],
      ["Audio tracks transcoded", formatNumber(s.total_audio_transcoded)],
      ["Hardware / software encodes", `${formatNumber(s.hardware_encodes)} / ${formatNumber(s.software_encodes)}`],
    ]),
    renderSection("Performance", [
      ["Avg processing time", formatDuration(s.avg_processing_time)],
      ["Total processing time", formatDuration(s.total_processing_time)],
    ]),
    renderSection("Time range", [
      ["Earliest", s.earliest_processing ? `${formatInstant(s.earliest_processing)} UTC` : "—"],
      ["Latest", s.latest_processing ? `${formatInstant(s.latest_processing)} UTC` : "—"],
    ]),
  ].join("\n\n");
}
