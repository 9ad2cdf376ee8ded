/**
 * Evaluating the rules: observe each rule, move each of its alerts by `transition`, and write every
 * change as a compare-and-set together with the notification and deliveries it makes. Servers on
 * one database all evaluate; for each change exactly one wins and notifies.
 */
import { getLogger } from "@logtape/logtape";
import {
  activeSilences, alertStates, applyAlertChange, type AlertState, type Config, type Db, errorMessage, parseDuration, type RuleConfig,
} from "../core/mod.ts";
import type { Clock } from "./clock.ts";
import type { Dispatcher } from "./dispatcher.ts";
import { alertMessage, type NotificationKind } from "./messages.ts";
import { fingerprintOf } from "./rules/labels.ts";
import { type MonitorInputs, observe } from "./rules/observe.ts";
import { type Observation, transition } from "./rules/transition.ts";

const log = getLogger(["vpo", "monitor", "alerts"]);

export interface EvaluatorOptions {
  db: Db;
  clock: Clock;
  config: () => Config;
  dispatcher: Dispatcher;
  inputs: MonitorInputs;
  node: string;
  publicUrl: () => string;
  /** Called with each notification this server made (the live event stream). */
  onNotification?: (n: { id: number; rule: string; kind: string; severity: string; summary: string; labels: Record<string, string | null>; at: string }) => void;
}

export interface RuleStatus {
  name: string;
  kind: RuleConfig["kind"];
  /** Why the rule is not evaluated here, if it is not. */
  unavailable: string | null;
  /** The last evaluation's error, if it failed. */
  error: string | null;
}

export interface Evaluator {
  /** Evaluates the rules (only those of `kinds` when given) once. */
  evaluate(kinds?: ReadonlySet<string>): Promise<void>;
  status(): RuleStatus[];
}

const timingOf = (rule: RuleConfig) => ({
  forSeconds: parseDuration(rule.for ?? "0s"),
  cooldownSeconds: parseDuration(rule.cooldown ?? "1h"),
  sendResolved: rule.send_resolved ?? true,
});

export function createEvaluator(o: EvaluatorOptions): Evaluator {
  const statuses = new Map<string, RuleStatus>();
  /** Problems already logged per rule: a rule that cannot be evaluated says so once, not every tick. */
  const said = new Map<string, string>();

  const sayOnce = (rule: string, problem: string | null, write: (p: string) => void) => {
    if (problem === null) said.delete(rule);
    else if (said.get(rule) !== problem) {
      said.set(rule, problem);
      write(problem);
    }
  };

  async function evaluateRule(rule: RuleConfig, silencedUntil: string | undefined) {
    const now = o.clock.now();
    const config = o.config();
    const observed = await observe(rule, { db: o.db, now, inputs: o.inputs, node: o.node, libraries: config.libraries ?? {} });
    if ("unavailable" in observed) {
      statuses.set(rule.name, { name: rule.name, kind: rule.kind, unavailable: observed.unavailable, error: null });
      sayOnce(rule.name, observed.unavailable, (p) => log.warn("Alert rule {rule} cannot be evaluated: {problem}", { rule: rule.name, problem: p }));
      return;
    }
    statuses.set(rule.name, { name: rule.name, kind: rule.kind, unavailable: null, error: null });
    sayOnce(rule.name, null, () => {});

    const observations = new Map<string, Observation>(observed.observations.map((obs) => [fingerprintOf(obs.labels), obs]));
    const stored = new Map<string, AlertState>((await alertStates(o.db, [rule.name])).map((s) => [s.fingerprint, s]));
    const timing = timingOf(rule);
    for (const fingerprint of new Set([...observations.keys(), ...stored.keys()])) {
      const prev = stored.get(fingerprint) ?? null;
      const obs = observations.get(fingerprint) ?? null;
      const decision = transition(prev, obs, timing, now, silencedUntil !== undefined, rule.name, fingerprint);
      if (!decision.next) continue;
      const { notify } = decision;
      const next = decision.next;
      let event;
      let deliveries;
      if (notify) {
        const kind: NotificationKind = notify.kind === "resolved" ? "resolved" : "firing";
        const labels = JSON.parse(next.labels) as Record<string, string | null>;
        const message = alertMessage({
          rule, kind, labels, value: next.value, summary: next.summary ?? "", details: JSON.parse(next.details ?? "{}"), fired_at: next.fired_at,
          resolved_at: next.resolved_at, publicUrl: o.publicUrl(),
        });
        const silenced = notify.kind === "silenced";
        event = {
          rule: rule.name, fingerprint, epoch: next.epoch, seq: notify.seq, kind: notify.kind, severity: rule.severity ?? "warning", labels: next.labels,
          value: next.value, summary: silenced ? `${kind === "resolved" ? "resolved" : "fired"} while silenced until ${silencedUntil}: ${next.summary}` : next.summary,
          details: next.details, message: JSON.stringify({ subject: message.subject, text: message.text, link: message.link }), silenced: silenced ? 1 : 0, at: now.toISOString(),
        };
        deliveries = silenced ? [] : o.dispatcher.rows("alert", rule.channels ?? [], message);
      }
      const applied = await applyAlertChange(o.db, { state: next, expectedVersion: prev?.version ?? null, event, deliveries });
      if (!applied || !notify || applied.eventId === null) continue; // another server made this change (and its notification)
      o.dispatcher.start(applied.deliveryIds);
      const line = notify.kind === "resolved" ? "Alert {rule} resolved: {summary}" : notify.kind === "silenced" ? "Alert {rule} changed while silenced: {summary}" : "Alert {rule} firing: {summary}";
      const runId = (JSON.parse(next.details ?? "{}") as { run_id?: unknown }).run_id;
      log[notify.kind === "firing" ? "warn" : "info"](line, {
        rule: rule.name, fingerprint, severity: rule.severity ?? "warning", summary: next.summary, channels: (rule.channels ?? []).join(", ") || "none",
        ...(typeof runId === "string" ? { run_id: runId } : {}),
      });
      o.onNotification?.({
        id: applied.eventId, rule: rule.name, kind: notify.kind, severity: rule.severity ?? "warning", summary: next.summary ?? "", labels: JSON.parse(next.labels), at: now.toISOString(),
      });
    }
  }

  return {
    async evaluate(kinds) {
      const rules = (o.config().alerts?.rules ?? []).filter((r) => !kinds || kinds.has(r.kind));
      if (rules.length === 0) return;
      const silences = await activeSilences(o.db, o.clock.now().toISOString());
      for (const rule of rules) {
        try {
          await evaluateRule(rule, silences.get(rule.name));
        } catch (error) {
          const message = errorMessage(error);
          statuses.set(rule.name, { name: rule.name, kind: rule.kind, unavailable: null, error: message });
          sayOnce(rule.name, `error: ${message}`, () => log.error("Alert rule {rule} could not be evaluated: {error}", { rule: rule.name, error: message }));
        }
      }
    },
    status() {
      const names = new Set((o.config().alerts?.rules ?? []).map((r) => r.name));
      return [...statuses.values()].filter((s) => names.has(s.name));
    },
  };
}
