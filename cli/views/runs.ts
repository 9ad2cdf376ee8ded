import type { FileProcessingHistory, RecentRun } from "../../core/mod.ts";
import { colors, formatBytes, formatDuration, formatInstant, formatSaving, renderTable } from "../format.ts";

/** The columns of `stats recent --format csv`, in the order of the JSON fields. */
export const RECENT_COLUMNS = [
  "stats_id", "processed_at", "policy_name", "file_path", "status", "success", "error_message",
  "size_before", "size_after", "size_change", "audio_removed", "subtitle_removed", "attachments_removed",
  "duration_seconds", "encoder_type", "video_source_codec", "video_target_codec", "video_transcode_skipped",
] as const satisfies readonly (keyof RecentRun)[];

/** The columns of `stats file --format csv`. */
export const HISTORY_COLUMNS = [
  "stats_id", "processed_at", "policy_name", "success", "error_message", "size_before", "size_after", "size_change",
  "audio_removed", "subtitle_removed", "attachments_removed", "duration_seconds", "encoder_type",
] as const satisfies readonly (keyof FileProcessingHistory)[];

const status = (run: { success: boolean; status?: string }) =>
  run.success ? colors.green("success") : colors.red(run.status ?? "failed");

/** An error message cut to fit a table cell: whitespace collapsed, at most 60 characters. */
function brief(message: string, max = 60): string {
  const flat = message.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function removed(run: FileProcessingHistory): string {
  const parts = [
    [run.audio_removed, "audio"],
    [run.subtitle_removed, "sub"],
    [run.attachments_removed, "att"],
  ] as const;
  const shown = parts.filter(([n]) => n).map(([n, what]) => `${n} ${what}`);
  return shown.length ? shown.join(", ") : parts.every(([n]) => n == null) ? "—" : "none";
}

/** The recent-runs table, newest first as given; `shortIds` from core `shortRunIds` (else full ids). */
export function renderRecentRuns(runs: RecentRun[], shortIds: ReadonlyMap<string, string>): string {
  return renderTable(
    ["Run", "Processed (UTC)", "Policy", "Status", "Size", "Change", "Time", "File"],
    runs.map((r) => [
      shortIds.get(r.stats_id) ?? r.stats_id,
      formatInstant(r.processed_at),
      r.policy_name,
      status(r),
      formatBytes(r.size_before),
      formatSaving(r.size_before, r.size_after),
      formatDuration(r.duration_seconds),
      r.file_path,
    ]),
    ["left", "left", "left", "left", "right", "left", "right", "left"],
  );
}

/** One file's runs, newest first, under a heading naming the file; `shortIds` as for renderRecentRuns. */
export function renderFileHistory(path: string, runs: FileProcessingHistory[], shortIds: ReadonlyMap<string, string>): string {
  const table = renderTable(
    ["Run", "Processed (UTC)", "Policy", "Status", "Size", "Change", "Tracks removed", "Time", "Encoder"],
    runs.map((r) => [
      shortIds.get(r.stats_id) ?? r.stats_id,
      formatInstant(r.processed_at),
      r.policy_name,
      r.error_message ? `${status(r)}: ${brief(r.error_message)}` : status(r),
      `${formatBytes(r.size_before)} → ${formatBytes(r.size_after)}`,
      formatSaving(r.size_before, r.size_after),
      removed(r),
      formatDuration(r.duration_seconds),
      r.encoder_type ?? "—",
    ]),
    ["left", "left", "left", "left", "right", "left", "left", "right", "left"],
  );
  return `${colors.bold(path)}  (${runs.length} ${runs.length === 1 ? "run" : "runs"})\n${table}`;
}
