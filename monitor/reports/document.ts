import type { BreakdownRow, StatsSummary } from "../../core/mod.ts";
import type { ReportData } from "./build.ts";
import { type Chart, codecMixChart, seriesChart } from "./charts.ts";
import { bytes, count, duration, exact, instant, percent, signedPercent } from "./_format.ts";

/**
 * A report as a list of blocks — headings, paragraphs, tables, charts — built once from the data
 * and drawn by each format's renderer, so PDF, HTML and Markdown say the same thing.
 */
export type Block =
  | { kind: "title"; text: string; subtitle: string }
  | { kind: "heading"; text: string }
  | { kind: "paragraph"; text: string }
  | { kind: "note"; text: string }
  | { kind: "table"; headers: string[]; rows: string[][]; align: ("left" | "right")[] }
  | { kind: "chart"; chart: Chart };

type Row = [string, (s: StatsSummary) => string, keyof StatsSummary | null];

const KEY_FIGURES: Row[] = [
  ["Files processed", (s) => count(s.total_files_processed), "total_files_processed"],
  ["Successful", (s) => count(s.total_successful), "total_successful"],
  ["Failed", (s) => count(s.total_failed), "total_failed"],
  ["Success rate", (s) => percent(s.success_rate * 100), "success_rate"],
  ["Space saved (bytes)", (s) => exact(s.total_size_saved), "total_size_saved"],
  ["Space saved", (s) => `${bytes(s.total_size_saved)} (${percent(s.avg_savings_percent)})`, null],
  ["Size before", (s) => bytes(s.total_size_before), "total_size_before"],
  ["Size after", (s) => bytes(s.total_size_after), "total_size_after"],
  ["Audio tracks removed", (s) => count(s.total_audio_removed), "total_audio_removed"],
  ["Subtitle tracks removed", (s) => count(s.total_subtitles_removed), "total_subtitles_removed"],
  ["Attachments removed", (s) => count(s.total_attachments_removed), "total_attachments_removed"],
  ["Videos transcoded", (s) => count(s.total_videos_transcoded), "total_videos_transcoded"],
  ["Videos skipped", (s) => count(s.total_videos_skipped), "total_videos_skipped"],
  ["Audio tracks transcoded", (s) => count(s.total_audio_transcoded), "total_audio_transcoded"],
  ["Hardware / software encodes", (s) => `${count(s.hardware_encodes)} / ${count(s.software_encodes)}`, null],
  ["Average processing time", (s) => duration(s.avg_processing_time), "avg_processing_time"],
  ["Total processing time", (s) => duration(s.total_processing_time), "total_processing_time"],
];

const breakdownTable = (rows: BreakdownRow[], none: string): Block => ({
  kind: "table",
  headers: ["Name", "Files", "Failed", "Saved", "Avg saving", "Avg time"],
  rows: rows.map((r) => [r.name ?? none, count(r.files_processed), count(r.failures), bytes(r.total_size_saved), percent(r.avg_savings_percent), duration(r.avg_processing_time)]),
  align: ["left", "right", "right", "right", "right", "right"],
});

/** The blocks of a report, in reading order. */
export function reportBlocks(data: ReportData): Block[] {
  const { summary: s, previous } = data;
  const change = new Map(data.comparison.map((c) => [c.field, c]));
  const scope = Object.entries(data.scope).filter(([, v]) => v).map(([k, v]) => `${k} ${v}`).join(", ");
  const blocks: Block[] = [
    {
      kind: "title",
      text: data.title,
      subtitle: `${data.window.since.slice(0, 10)} to ${new Date(Date.parse(data.window.until) - 1).toISOString().slice(0, 10)} (UTC)${scope ? ` - ${scope}` : ""} - made ${instant(data.generated_at)}`,
    },
    {
      kind: "paragraph",
      text: `Space saved: ${exact(s.total_size_saved)} bytes (${bytes(s.total_size_saved)}) over ${count(s.total_files_processed)} files processed, ${count(s.total_failed)} failed.`,
    },
    ...data.notes.map((text): Block => ({ kind: "note", text })),
    { kind: "heading", text: `Totals, compared with ${previous.window.label}` },
    {
      kind: "table",
      headers: ["", "This period", "Previous", "Change"],
      rows: KEY_FIGURES.map(([label, show, field]) => {
        const c = field ? change.get(field) : undefined;
        return [label, show(s), show(previous.summary), c ? signedPercent(c.change_percent) : ""];
      }),
      align: ["left", "right", "right", "right"],
    },
    { kind: "chart", chart: seriesChart({ title: "Space saved per day", kind: "bars", labels: data.daily.map((d) => d.day.slice(5)), values: data.daily.map((d) => Number(d.saved)), format: bytes, binary: true }) },
    { kind: "chart", chart: seriesChart({ title: "Cumulative space saved", kind: "line", labels: data.daily.map((d) => d.day.slice(5)), values: data.daily.map((d) => Number(d.cumulative)), format: bytes, binary: true, color: "#2aa876" }) },
    { kind: "heading", text: "Video codecs before and after" },
    { kind: "chart", chart: codecMixChart("Codec mix (runs)", data.codecs) },
    {
      kind: "table",
      headers: ["Codec", "Before", "After"],
      rows: data.codecs.map((c) => [c.codec, count(c.before), count(c.after)]),
      align: ["left", "right", "right"],
    },
    { kind: "heading", text: "Per policy" },
    {
      kind: "table",
      headers: ["Policy", "Files", "Success", "Saved", "Avg saving", "Avg time"],
      rows: data.policies.map((p) => [p.policy_name, count(p.files_processed), percent(p.success_rate * 100), bytes(p.total_size_saved), percent(p.avg_savings_percent), duration(p.avg_processing_time)]),
      align: ["left", "right", "right", "right", "right", "right"],
    },
    { kind: "heading", text: "Per library" },
    breakdownTable(data.libraries, "(no library)"),
    { kind: "heading", text: "Per node" },
    breakdownTable(data.nodes, "(no node)"),
    { kind: "heading", text: "Failures by reason" },
    data.failures.length === 0
      ? { kind: "paragraph", text: "No run failed in this period." }
      : {
          kind: "table",
          headers: ["Reason", "Runs", "Top files"],
          rows: data.failures.map((f) => [`${f.status === "interrupted" ? "[interrupted] " : ""}${f.reason}`, count(f.runs), f.top_files.map((t) => `${t.file_path} (${t.runs})`).join("; ")]),
          align: ["left", "right", "left"],
        },
    { kind: "heading", text: "Where the time went" },
    {
      kind: "table",
      headers: ["Phase", "Runs", "Total", "Average", "Longest", "Avg fps"],
      rows: data.phases.map((p) => [p.phase_name, count(p.runs), duration(p.total_seconds), duration(p.avg_seconds), duration(p.max_seconds), p.avg_fps === null ? "-" : p.avg_fps.toFixed(1)]),
      align: ["left", "right", "right", "right", "right", "right"],
    },
    {
      kind: "table",
      headers: ["Slowest phases", "Phase", "Time", "Policy", "When"],
      rows: data.slowest.map((p) => [p.file_path, p.phase_name, duration(p.wall_time_seconds), p.policy_name, instant(p.processed_at)]),
      align: ["left", "left", "right", "left", "left"],
    },
    { kind: "heading", text: "Performance regressions" },
    data.regressions.length === 0
      ? { kind: "paragraph", text: "No performance regression started in this period." }
      : {
          kind: "table",
          headers: ["When", "Series", "Measure", "Change", "Runs before / after"],
          rows: data.regressions.map((r) => [
            instant(r.at),
            `${r.policy} / ${r.phase} / ${r.encoder} / ${r.resolution}`,
            r.metric === "encoding_fps" ? "encoding fps" : "seconds per GB",
            `${signedPercent(r.change_percent)} (${r.mean_before.toFixed(1)} to ${r.mean_after.toFixed(1)})`,
            `${r.run_before.stats_id.slice(0, 8)} / ${r.run_after.stats_id.slice(0, 8)}`,
          ]),
          align: ["left", "left", "left", "right", "left"],
        },
  ];
  return blocks;
}
