/**
 * How an alert moves between states, as a pure function of what was stored, what is observed now
 * and the time (tested with a clock the test controls):
 *
 *   inactive/resolved ──holds──▶ pending ──held for `for`──▶ firing (notify)
 *   firing ──holds, `cooldown` since the last notification──▶ firing (notify again)
 *   firing ──clears──▶ resolved (notify when send_resolved)      pending ──clears──▶ inactive
 *
 * A silence holds notifications back: the start and the end of a firing are recorded as
 * "silenced" events, repeats are skipped, and once the silence ends a firing alert notifies at once.
 */
import type { AlertState } from "../../core/mod.ts";

export interface Observation {
  /** Label values (and phase) the alert is about. */
  labels: Record<string, string | null>;
  value: number | null;
  /** One line saying what holds, e.g. "3 runs failed in the last 1h". */
  summary: string;
  /** The fields messages are made from. */
  details: Record<string, unknown>;
}

export interface Timing {
  forSeconds: number;
  cooldownSeconds: number;
  sendResolved: boolean;
}

export type StoredFields = Omit<AlertState, "version">;

export interface Decision {
  /** The state to write, or null when nothing changed. */
  next: StoredFields | null;
  /** The notification made: what it says and its number in this firing (the claim key). */
  notify: { kind: "firing" | "resolved" | "silenced"; seq: number } | null;
}

const seconds = (from: string | null, to: Date) => (from === null ? Number.POSITIVE_INFINITY : (to.getTime() - Date.parse(from)) / 1000);

/**
 * The next state of one alert. `prev` is what is stored (null: never seen), `obs` what holds now
 * (null: the condition does not hold for these labels).
 */
export function transition(prev: StoredFields | null, obs: Observation | null, timing: Timing, now: Date, silenced: boolean, rule: string, fingerprint: string): Decision {
  const at = now.toISOString();
  const status = prev?.status ?? "inactive";
  const base: StoredFields = prev ?? {
    rule, fingerprint, labels: JSON.stringify(obs?.labels ?? {}), status: "inactive", active_since: null, fired_at: null, resolved_at: null, last_notified_at: null,
    epoch: 0, notified: 0, value: null, summary: null, details: null, updated_at: at,
  };
  const observed = (o: Observation) => ({ labels: JSON.stringify(o.labels), value: o.value, summary: o.summary, details: JSON.stringify(o.details), updated_at: at });

  if (!obs) {
    if (status === "firing") {
      const next: StoredFields = { ...base, status: "resolved", resolved_at: at, active_since: null, updated_at: at };
      if (silenced) return { next, notify: { kind: "silenced", seq: 1 } };
      return { next, notify: timing.sendResolved ? { kind: "resolved", seq: 0 } : null };
    }
    if (status === "pending") return { next: { ...base, status: "inactive", active_since: null, updated_at: at }, notify: null };
    return { next: null, notify: null };
  }

  if (status === "inactive" || status === "resolved" || status === "pending") {
    const since = status === "pending" ? base.active_since! : at;
    if (seconds(since, now) < timing.forSeconds) {
      // Pending: written when it starts; while it lasts only the state matters, not each value.
      return status === "pending" ? { next: null, notify: null } : { next: { ...base, ...observed(obs), status: "pending", active_since: since }, notify: null };
    }
    const firing: StoredFields = {
      ...base, ...observed(obs), status: "firing", active_since: since, fired_at: at, resolved_at: null, epoch: base.epoch + 1, notified: 0, last_notified_at: null,
    };
    if (silenced) return { next: firing, notify: { kind: "silenced", seq: 0 } };
    return { next: { ...firing, notified: 1, last_notified_at: at }, notify: { kind: "firing", seq: 0 } };
  }

  // Firing, and it still holds.
  const due = seconds(base.last_notified_at, now) >= timing.cooldownSeconds;
  if (due && !silenced) {
    return { next: { ...base, ...observed(obs), notified: base.notified + 1, last_notified_at: at }, notify: { kind: "firing", seq: base.notified } };
  }
  const changed = JSON.stringify(obs.details) !== base.details || obs.value !== base.value;
  return { next: changed ? { ...base, ...observed(obs) } : null, notify: null };
}
