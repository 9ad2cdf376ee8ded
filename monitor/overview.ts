/**
 * What `vpo alerts list`, `GET /api/alerts` and the dashboard show: each configured rule with its
 * alerts as stored (any server's), and its silence.
 */
import * as v from "valibot";
import { activeSilences, alertStates, type Config, type Db } from "../core/mod.ts";

const iso = v.pipe(v.string(), v.description("UTC ISO-8601 datetime"));

export const AlertSchema = v.object({
  fingerprint: v.pipe(v.string(), v.description('The label values this alert is about, e.g. "policy=anime"; "" for the whole rule')),
  labels: v.record(v.string(), v.nullable(v.string())),
  status: v.picklist(["inactive", "pending", "firing", "resolved"]),
  active_since: v.nullable(iso),
  fired_at: v.nullable(iso),
  resolved_at: v.nullable(iso),
  last_notified_at: v.nullable(iso),
  notifications: v.pipe(v.number(), v.description("Notifications made while it fires (the first and the reminders)")),
  value: v.nullable(v.number()),
  summary: v.nullable(v.string()),
  details: v.record(v.string(), v.unknown()),
});

export const RuleOverviewSchema = v.object({
  rule: v.string(),
  kind: v.string(),
  severity: v.string(),
  channels: v.array(v.string()),
  silenced_until: v.nullable(iso),
  /** firing when any alert of the rule fires, pending when one waits for `for`, else ok. */
  state: v.picklist(["ok", "pending", "firing"]),
  alerts: v.array(AlertSchema),
});
export type RuleOverview = v.InferOutput<typeof RuleOverviewSchema>;

export async function alertOverview(db: Db | null, config: Config, now: Date): Promise<RuleOverview[]> {
  const rules = config.alerts?.rules ?? [];
  const states = db ? await alertStates(db, rules.map((r) => r.name)) : [];
  const silences = db ? await activeSilences(db, now.toISOString()) : new Map<string, string>();
  return rules.map((rule) => {
    const alerts = states
      .filter((s) => s.rule === rule.name && s.status !== "inactive")
      .map((s) => ({
        fingerprint: s.fingerprint,
        labels: JSON.parse(s.labels) as Record<string, string | null>,
        status: s.status,
        active_since: s.active_since,
        fired_at: s.fired_at,
        resolved_at: s.resolved_at,
        last_notified_at: s.last_notified_at,
        notifications: s.notified,
        value: s.value,
        summary: s.summary,
        details: JSON.parse(s.details ?? "{}") as Record<string, unknown>,
      }));
    const state = alerts.some((a) => a.status === "firing") ? "firing" : alerts.some((a) => a.status === "pending") ? "pending" : "ok";
    return {
      rule: rule.name, kind: rule.kind, severity: rule.severity ?? "warning", channels: rule.channels ?? [], silenced_until: silences.get(rule.name) ?? null, state, alerts,
    };
  });
}
