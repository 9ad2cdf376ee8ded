import type { QueueStatus } from "../../core/mod.ts";
import { formatDuration, formatInstant, renderSection, renderTable } from "../format.ts";

const pct = (p: number | null) => (p === null ? "—" : `${p.toFixed(1)}%`);
const speed = (s: number | null) => (s === null ? "—" : `${s.toFixed(2)}x`);

/** `vpo queue` for people: counts, then per node the files in progress, then the failed jobs. */
export function renderQueueStatus(status: QueueStatus): string {
  const c = status.counts;
  const parts = [
    renderSection("Queue", [
      ["waiting", String(c.created + c.retry) + (c.retry ? ` (${c.retry} to be tried again)` : "")],
      ["running", String(c.active)],
      ["completed", String(c.completed)],
      ["failed", String(c.failed)],
      ["cancelled", String(c.cancelled)],
    ]),
  ];
  const byNode = Map.groupBy(status.in_progress, (r) => r.node ?? r.host);
  for (const [node, rows] of byNode) {
    parts.push(`${`In progress on ${node}`}\n${renderTable(
      ["file", "phase", "done", "speed", "fps", "left", "since"],
      rows.map((r) => [r.library ? `${r.library}/${r.path}` : r.path, r.phase ?? "starting", pct(r.percent), speed(r.speed), r.fps === null ? "—" : r.fps.toFixed(0), formatDuration(r.eta_seconds), formatInstant(r.started_at)]),
      ["left", "left", "right", "right", "right", "right", "left"],
    )}`);
  }
  if (status.in_progress.length === 0) parts.push("Nothing in progress.");
  if (status.failed.length > 0) {
    parts.push(`Failed jobs (retry with: vpo queue retry ID | --all-failed)\n${renderTable(
      ["id", "file", "policy", "tries", "failed at", "error"],
      status.failed.map((f) => [f.id, `${f.library}/${f.path}`, f.policy_name ?? "—", f.attempts, formatInstant(f.failed_at), f.error ?? "—"]),
    )}`);
  }
  return parts.join("\n\n");
}
