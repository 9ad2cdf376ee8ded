/**
 * Notification messages from templates: a rule's `title` and `text` (or the defaults below) with
 * `{field}` placeholders filled from the alert — `{rule}`, `{severity}`, `{summary}`, `{link}`,
 * and what the kind observed: `{file}`, `{policy}`, `{error}`, `{node}`, `{rate}`, `{phase}`, …
 * Every message links to the run or view on the dashboard.
 */
import type { RuleConfig } from "../core/mod.ts";
import { escapeHtml, type Message } from "./channels/mod.ts";

export type NotificationKind = "firing" | "resolved" | "test";

export interface AlertFacts {
  rule: RuleConfig;
  kind: NotificationKind;
  labels: Record<string, string | null>;
  value: number | null;
  summary: string;
  details: Record<string, unknown>;
  fired_at: string | null;
  resolved_at: string | null;
  /** The dashboard's base URL (`[server] public_url`). */
  publicUrl: string;
}

/** Fields shown in a message, in this order, when the alert has them. */
const FIELD_LABELS: [string, string][] = [
  ["file", "File"], ["policy", "Policy"], ["library", "Library"], ["node", "Node"], ["phase", "Phase"], ["error", "Error"], ["count", "Failed runs"],
  ["rate", "Failure rate (%)"], ["savings", "Savings (%)"], ["worse", "Worse than baseline (%)"], ["recent", "Now"], ["baseline", "Baseline"],
  ["runs", "Runs"], ["threshold", "Threshold (%)"], ["window", "Window"], ["free", "Free"], ["min_free", "Minimum"], ["path", "Path"],
  ["queued", "Queued jobs"], ["last_run", "Last run"], ["last_seen", "Last seen"], ["processed_at", "When"], ["run_id", "Run"], ["job_id", "Job"],
  ["command", "Command"],
];

const DEFAULT_TITLES: Record<RuleConfig["kind"], string> = {
  run_failed: "Run failed: {file_name} ({policy}) on {node}",
  failure_rate: "{rate} % of runs failed{scope}",
  savings_low: "Savings down to {savings} %{scope}",
  phase_slow: "Phase {phase} is {worse} % slower than usual{scope}",
  disk_space: "Library {library} is low on space: {free} free on {node}",
  queue_stalled: "{queued} job(s) queued, nothing processed for {quiet_for}",
  node_silent: "Node {node} is silent since {last_seen}",
};

/** `{name}` → the value; unknown names stay as written, null values become "–". */
export function renderTemplate(template: string, fields: Record<string, unknown>): string {
  return template.replace(/\{([a-z_]+)\}/g, (whole, name: string) => {
    if (!(name in fields)) return whole;
    const value = fields[name];
    return value === null || value === undefined ? "–" : String(value);
  });
}

/** Where a notification points: the run that failed, else the dashboard narrowed to the alert's labels. */
export function linkFor(publicUrl: string, details: Record<string, unknown>, labels: Record<string, string | null>): string {
  const base = publicUrl.replace(/\/+$/, "");
  const params = new URLSearchParams({ range: details.run_id ? "all" : "7d" });
  for (const key of ["policy", "library", "node"]) if (typeof labels[key] === "string") params.set(key, labels[key]!);
  if (typeof details.run_id === "string") params.set("run", details.run_id);
  return `${base}/#${params}`;
}

/** Every field a template may use. */
export function templateFields(f: AlertFacts): Record<string, unknown> {
  const link = linkFor(f.publicUrl, f.details, f.labels);
  const scope = ["policy", "library", "node", "phase"].filter((k) => f.labels[k]).map((k) => `${k} ${f.labels[k]}`).join(", ");
  const file = typeof f.details.file === "string" ? f.details.file : null;
  return {
    ...f.labels,
    ...f.details,
    rule: f.rule.name,
    kind: f.rule.kind,
    severity: f.rule.severity ?? "warning",
    status: f.kind,
    summary: f.summary,
    value: f.value,
    fired_at: f.fired_at,
    resolved_at: f.resolved_at,
    file_name: file ? file.split("/").pop() : null,
    scope: scope ? ` (${scope})` : "",
    link,
  };
}

/** The message for a notification: subject and text from the templates, HTML with the same fields, the link, and the alert as data. */
export function alertMessage(f: AlertFacts): Message {
  const fields = templateFields(f);
  const title = renderTemplate(f.rule.title ?? DEFAULT_TITLES[f.rule.kind], fields);
  const prefix = f.kind === "resolved" ? "[vpo] Resolved: " : f.kind === "test" ? "[vpo] Test: " : "[vpo] ";
  const subject = `${prefix}${title}`;
  const shown = FIELD_LABELS.filter(([key]) => fields[key] !== null && fields[key] !== undefined && fields[key] !== "");
  const intro = f.kind === "resolved"
    ? `Resolved at ${f.resolved_at}: rule "${f.rule.name}" no longer holds. It fired at ${f.fired_at}: ${f.summary}`
    : f.kind === "test"
      ? `This is a test of alert rule "${f.rule.name}" (${f.rule.kind}, ${fields.severity}), sent by vpo alerts test. A real notification would read:\n\n${f.summary}`
      : f.summary;
  const custom = f.rule.text ? renderTemplate(f.rule.text, fields) : null;
  const output = typeof fields.output === "string" && fields.output ? fields.output : null;
  const lines = [
    custom ?? intro,
    "",
    ...shown.map(([key, label]) => `${label}: ${fields[key]}`),
    `Rule: ${f.rule.name} (${f.rule.kind}, ${fields.severity})`,
    ...(output && f.kind !== "resolved" ? ["", "Output (last lines):", output] : []),
    "",
    `Open: ${fields.link}`,
  ];
  const rows = [...shown.map(([key, label]) => [label, String(fields[key])]), ["Rule", `${f.rule.name} (${f.rule.kind}, ${fields.severity})`]];
  const html = [
    `<p>${escapeHtml(custom ?? intro).replaceAll("\n", "<br>")}</p>`,
    `<table cellpadding="4" style="border-collapse: collapse">${rows.map(([k, v]) => `<tr><th align="left" valign="top">${escapeHtml(k!)}</th><td>${escapeHtml(v!)}</td></tr>`).join("")}</table>`,
    output && f.kind !== "resolved" ? `<p>Output (last lines):</p><pre style="white-space: pre-wrap">${escapeHtml(output)}</pre>` : "",
    `<p><a href="${escapeHtml(String(fields.link))}">Open in vpo</a></p>`,
  ].join("\n");
  return {
    subject,
    text: lines.join("\n"),
    html,
    link: String(fields.link),
    severity: f.kind === "resolved" ? "resolved" : (f.rule.severity ?? "warning"),
    data: {
      rule: f.rule.name, kind: f.rule.kind, severity: fields.severity, status: f.kind, labels: f.labels, value: f.value, summary: f.summary,
      fired_at: f.fired_at, resolved_at: f.resolved_at, details: f.details,
    },
  };
}

/** What a test notification of a rule shows: made-up facts of the rule's kind. */
export function sampleDetails(rule: RuleConfig, node: string): { labels: Record<string, string | null>; value: number; summary: string; details: Record<string, unknown> } {
  const policy = [rule.policy ?? "example-policy"].flat()[0]!;
  switch (rule.kind) {
    case "run_failed":
      return {
        labels: {}, value: 1, summary: "1 run failed in the last 1h; latest: /media/example.mkv (Phase \"compress\" failed (ffmpeg exited with code 1: …))",
        details: { file: "/media/example.mkv", policy, node, error: 'Phase "compress" failed (ffmpeg exited with code 1)', count: 1 },
      };
    case "failure_rate":
      return { labels: { policy }, value: 50, summary: `50 % of runs failed (sample; threshold ${rule.threshold} %)`, details: { rate: 50, runs: 10, threshold: rule.threshold, policy } };
    case "savings_low":
      return { labels: { policy }, value: 1, summary: `Runs saved 1 % (sample; threshold ${rule.threshold} %)`, details: { savings: 1, runs: 10, threshold: rule.threshold, policy } };
    case "phase_slow":
      return { labels: { phase: rule.phase ?? "compress" }, value: 80, summary: "Phase is 80 % worse than its baseline (sample)", details: { phase: rule.phase ?? "compress", worse: 80, threshold: rule.threshold } };
    case "disk_space":
      return { labels: { library: "movies", node }, value: 0, summary: `Library movies has 1.0 GiB free, below ${rule.min_free} (sample)`, details: { library: "movies", node, free: "1.0 GiB", min_free: rule.min_free } };
    case "queue_stalled":
      return { labels: {}, value: 12, summary: "12 job(s) are queued but nothing was processed (sample)", details: { queued: 12, quiet_for: rule.quiet_for ?? "6h" } };
    case "node_silent":
      return { labels: { node }, value: 3600, summary: `Node ${node} has not been seen for 1h (sample)`, details: { node, last_seen: "(sample)", silent_for: rule.silent_for ?? "15m" } };
  }
}
