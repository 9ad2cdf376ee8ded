import type { AlertHistoryEntry } from "../../core/mod.ts";
import type { RuleOverview } from "../../monitor/mod.ts";
import { colors, renderTable } from "../format.ts";

const when = (iso: string | null) => (iso ? iso.replace("T", " ").replace(/(\.\d+)?Z$/, "") : "—");
const labelsText = (labels: Record<string, string | null>) => Object.entries(labels).map(([k, v]) => `${k}=${v ?? "—"}`).join(" ") || "—";

function stateText(rule: RuleOverview): string {
  const silenced = rule.silenced_until ? colors.dim(` (silenced until ${when(rule.silenced_until)})`) : "";
  if (rule.state === "firing") return `${colors.red("FIRING")}${silenced}`;
  if (rule.state === "pending") return `${colors.yellow("pending")}${silenced}`;
  return `${colors.green("ok")}${silenced}`;
}

/** One row per rule (and one more per alert of a grouped rule): state, since when, what holds. */
export function renderAlertList(rules: RuleOverview[]): string {
  const rows: string[][] = [];
  for (const rule of rules) {
    const active = rule.alerts.filter((a) => a.status === "firing" || a.status === "pending");
    const base = [rule.rule, rule.kind, rule.severity];
    if (active.length === 0) {
      const last = rule.alerts.find((a) => a.status === "resolved");
      rows.push([...base, stateText(rule), "—", last ? `last resolved ${when(last.resolved_at)}` : "", rule.channels.join(", ") || "—"]);
      continue;
    }
    for (const a of active) {
      rows.push([
        ...base, stateText({ ...rule, state: a.status === "firing" ? "firing" : "pending" }), when(a.fired_at ?? a.active_since),
        `${a.fingerprint ? `${labelsText(a.labels)}: ` : ""}${a.summary ?? ""}`, rule.channels.join(", ") || "—",
      ]);
    }
  }
  return renderTable(["Rule", "Kind", "Severity", "State", "Since (UTC)", "What", "Channels"], rows);
}

function deliveriesText(entry: AlertHistoryEntry): string {
  if (entry.silenced) return colors.dim("held back by a silence");
  if (entry.deliveries.length === 0) return "—";
  return entry.deliveries.map((d) => {
    const status = d.status === "sent" ? colors.green("sent") : d.status === "failed" ? colors.red("failed") : colors.yellow(d.status);
    const tries = d.attempts > 1 ? ` after ${d.attempts} attempts` : "";
    return `${d.channel}: ${status}${tries}${d.status !== "sent" && d.last_error ? ` (${d.last_error})` : ""}`;
  }).join("; ");
}

/** Notifications newest first, each with how its deliveries went. */
export function renderAlertHistory(entries: AlertHistoryEntry[]): string {
  const event = (e: AlertHistoryEntry) => (e.kind === "firing" ? (e.seq === 0 ? colors.red("fired") : `reminder #${e.seq}`) : e.kind === "resolved" ? colors.green("resolved") : e.kind);
  return renderTable(
    ["When (UTC)", "Rule", "Event", "Severity", "Summary", "Deliveries"],
    entries.map((e) => [when(e.at), e.rule, event(e), e.severity, e.summary ?? "", deliveriesText(e)]),
  );
}
