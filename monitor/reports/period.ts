import { isoWeek, VpoError } from "../../core/mod.ts";

/**
 * Report periods: the last complete UTC day, ISO week (Monday to Monday) or month before an
 * instant, and the window of the same length just before a window.
 */

export const PERIODS = ["day", "week", "month"] as const;
export type Period = (typeof PERIODS)[number];

/** A window with both ends (since inclusive, until exclusive) and a name for it. */
export interface Window {
  since: string;
  until: string;
  /** "2026-01-31", "2026-W05", "2026-01", or "2026-01-01 → 2026-01-07" for a custom window. */
  label: string;
}

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const midnight = (ms: number) => Math.floor(ms / DAY) * DAY;

/**
 * The last complete period before `now` (UTC).
 *
 * @example lastCompletePeriod("week", new Date("2026-02-04T10:00:00Z")) // 2026-01-26 → 2026-02-02, "2026-W05"
 */
export function lastCompletePeriod(period: Period, now: Date): Window {
  const today = midnight(now.getTime());
  if (period === "day") return { since: iso(today - DAY), until: iso(today), label: iso(today - DAY).slice(0, 10) };
  if (period === "week") {
    const monday = today - ((new Date(today).getUTCDay() + 6) % 7) * DAY;
    return { since: iso(monday - 7 * DAY), until: iso(monday), label: isoWeek(iso(monday - 7 * DAY).slice(0, 10)) };
  }
  if (period === "month") {
    const d = new Date(today);
    const first = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    const previous = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1);
    return { since: iso(previous), until: iso(first), label: iso(previous).slice(0, 7) };
  }
  throw new VpoError("INVALID_ARGUMENT", `Invalid period "${period}": expected ${PERIODS.join(", ")}`);
}

/** The period just before one of the same kind (a month before a month, else the same length). */
export function previousWindow(window: { since: string; until: string }, period?: Period): Window {
  if (period === "month") {
    const d = new Date(window.since);
    const previous = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1);
    return { since: iso(previous), until: window.since, label: iso(previous).slice(0, 7) };
  }
  if (period === "week" || period === "day") {
    return { ...lastCompletePeriod(period, new Date(window.since)) };
  }
  const length = Date.parse(window.until) - Date.parse(window.since);
  return customWindow(iso(Date.parse(window.since) - length), window.since);
}

/** A window given by its bounds, labelled by its days. */
export function customWindow(since: string, until: string): Window {
  const last = new Date(Date.parse(until) - 1).toISOString().slice(0, 10);
  const first = since.slice(0, 10);
  return { since, until, label: first === last ? first : `${first} → ${last}` };
}
