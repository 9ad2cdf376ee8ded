import type { Job, JobDetail } from "../../core/mod.ts";
import { colors, formatBytes, formatDuration, renderSection, renderTable } from "../format.ts";

/** `2026-05-30T12:00:00.000Z` → `2026-05-30 12:00:00`; times are UTC throughout. */
const when = (iso: string | null) => (iso ? iso.replace("T", " ").replace(/(\.\d+)?Z$/, "") : "—");

/** Wall time of a job; a job still going shows its time so far with a trailing ellipsis. */
export function jobDuration(job: Job, now = new Date()): string {
  const start = job.started_at ?? job.created_at;
  if (job.completed_at) return formatDuration((Date.parse(job.completed_at) - Date.parse(start)) / 1000);
  if (job.status === "running") return `${formatDuration((now.getTime() - Date.parse(start)) / 1000)}…`;
  return "—";
}

function files(job: Job): string {
  if (job.files_total == null && job.files_affected == null) return "—";
  if (job.files_total == null) return String(job.files_affected);
  return job.files_affected == null ? String(job.files_total) : `${job.files_affected}/${job.files_total}`;
}

function status(job: Job): string {
  if (job.status === "failed") return colors.red(job.status);
  if (job.status === "completed") return colors.green(job.status);
  return job.status;
}

/** Jobs as a table, newest first as given; `shortIds` maps each id to its shortest unique prefix. */
export function renderJobList(jobs: Job[], shortIds: Map<string, string>, now = new Date()): string {
  const rows = jobs.map((j) => [
    shortIds.get(j.id) ?? j.id,
    j.type,
    status(j),
    j.policy_name ?? "—",
    files(j),
    when(j.started_at ?? j.created_at),
    jobDuration(j, now),
  ]);
  return renderTable(["ID", "Type", "Status", "Policy", "Files", "Started (UTC)", "Duration"], rows, ["left", "left", "left", "left", "right", "left", "right"]);
}

/** A summary object as `key  value` lines; nested values as compact JSON. */
function summaryPairs(summary: unknown): [string, string][] {
  if (summary == null) return [];
  if (typeof summary !== "object" || Array.isArray(summary)) return [["value", JSON.stringify(summary)]];
  return Object.entries(summary).map(([k, v]) => [k, typeof v === "object" && v !== null ? JSON.stringify(v) : String(v)]);
}

/** Everything about one job: its row, the runs it recorded, its summary and its error. */
export function renderJobDetail(job: JobDetail, now = new Date()): string {
  const parts = [
    renderSection(`Job ${job.id}`, [
      ["Type", job.type],
      ["Status", status(job)],
      ["Policy", job.policy_name ?? "—"],
      ["Created", when(job.created_at)],
      ["Started", when(job.started_at)],
      ["Completed", when(job.completed_at)],
      ["Duration", jobDuration(job, now)],
      ["Files", job.files_total == null ? "—" : `${job.files_affected ?? 0} affected of ${job.files_total}`],
      ["Error", job.error ?? "—"],
    ]),
    renderSection("Runs", [
      ["Recorded", String(job.runs.count)],
      ["Successful", String(job.runs.successes)],
      ["Failed", String(job.runs.failures)],
      ["Space saved", formatBytes(job.runs.size_saved)],
    ]),
  ];
  const summary = summaryPairs(job.summary);
  if (summary.length) parts.push(renderSection("Summary", summary));
  return parts.join("\n\n");
}
