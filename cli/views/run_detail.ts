import type { RunRecord } from "../../core/mod.ts";
import { colors, formatBytes, formatDuration, formatNumber, formatSaving, renderSection, renderTable } from "../format.ts";

type Detail = Omit<RunRecord, "plugin_metrics"> & { plugin_metrics: Record<string, Record<string, unknown>> };

function tracks(label: string, before: number | null, after: number | null, removed: number | null): [string, string] {
  if (before == null && after == null) return [label, "—"];
  const change = removed ? ` (-${removed} removed)` : after != null && before != null && after > before ? ` (+${after - before} added)` : "";
  return [label, `${before ?? "?"} → ${after ?? "?"}${change}`];
}

function transcode(run: Detail): string {
  if (run.video_transcode_skipped) return `skipped (${run.video_skip_reason ?? "no reason given"}), ${run.video_source_codec ?? "?"}`;
  if (run.video_source_codec && run.video_target_codec && run.video_source_codec !== run.video_target_codec) {
    return `${run.video_source_codec} → ${run.video_target_codec}${run.encoder_type ? ` (${run.encoder_type})` : ""}`;
  }
  return run.video_source_codec ? `${run.video_source_codec} (unchanged)` : "—";
}

/** One screen about one run: what happened to the file, and optionally per action and per phase. */
export function renderRunDetail(run: Detail, options: { actions?: boolean; performance?: boolean } = {}): string {
  const status = run.success ? colors.green("success") : colors.red(run.status);
  const parts = [
    renderSection(`Run ${run.id}`, [
      ["File", run.file_path],
      ["Policy", run.policy_name],
      ["Processed", run.processed_at],
      ["Status", run.error_message ? `${status}: ${run.error_message}` : status],
      ["Size", `${formatBytes(run.size_before)} → ${formatBytes(run.size_after)}, ${formatSaving(run.size_before, run.size_after)}`],
      tracks("Audio", run.audio_tracks_before, run.audio_tracks_after, run.audio_tracks_removed),
      tracks("Subtitles", run.subtitle_tracks_before, run.subtitle_tracks_after, run.subtitle_tracks_removed),
      tracks("Attachments", run.attachments_before, run.attachments_after, run.attachments_removed),
      ["Video", transcode(run)],
      ["Audio codecs", run.audio_tracks_transcoded == null ? "—" : `${run.audio_tracks_transcoded} transcoded, ${run.audio_tracks_preserved ?? 0} preserved`],
      ["Hash before", run.hash_before ?? "—"],
      ["Hash after", run.hash_after ?? "—"],
      ["Duration", formatDuration(run.duration_seconds)],
      ["Phases", `${run.phases_completed}/${run.phases_total}`],
      ["Changes", formatNumber(run.total_changes)],
    ]),
  ];
  if (run.failure_command || run.failure_output) {
    const indent = (text: string) => text.split("\n").map((line) => `  ${line}`).join("\n");
    const lines = [colors.bold("Failed command"), indent(run.failure_command ?? "(not recorded)")];
    if (run.failure_output) lines.push(colors.bold("Its output (last lines of stderr)"), indent(run.failure_output));
    parts.push(lines.join("\n"));
  }
  if (run.plugin_errors.length) {
    parts.push(renderSection("Plugin failures", run.plugin_errors.map((e) => [`${e.plugin}.${e.hook}`, `${e.code}: ${e.message}`])));
  }
  if (options.actions) {
    parts.push(
      colors.bold("Actions"),
      renderTable(
        ["#", "Action", "Track", "Result", "Time", "Rule", "Message"],
        run.actions.map((a, i) => [
          i + 1,
          a.action_type,
          a.track_type ? `${a.track_type}${a.track_index == null ? "" : ` #${a.track_index}`}` : "—",
          a.success ? "ok" : "failed",
          a.duration_ms == null ? "—" : `${formatNumber(Math.round(a.duration_ms))} ms`,
          a.rule_reference ?? "—",
          a.message ?? "",
        ]),
        ["right", "left", "left", "left", "right", "left", "left"],
      ),
    );
  }
  if (options.performance) {
    parts.push(
      colors.bold("Phases"),
      renderTable(
        ["Phase", "Wall time", "Read", "Written", "FPS", "Bitrate"],
        run.phases.map((p) => [
          p.phase_name,
          formatDuration(p.wall_time_seconds),
          formatBytes(p.bytes_read),
          formatBytes(p.bytes_written),
          p.encoding_fps == null ? "—" : p.encoding_fps.toFixed(1),
          p.encoding_bitrate == null ? "—" : `${formatNumber(Math.round(p.encoding_bitrate / 1000))} kb/s`,
        ]),
        ["left", "right", "right", "right", "right", "right"],
      ),
    );
  }
  return parts.join("\n\n");
}
