import * as v from "valibot";
import { type Db, getSummary, parseClosedRange, type RunScope, type StatsSummary, VpoError } from "../../core/mod.ts";
import { customWindow, lastCompletePeriod, type PERIODS, previousWindow, type Window } from "./period.ts";

/** One summary field over two windows. */
export const ComparedFieldSchema = v.object({
  field: v.string(),
  current: v.nullable(v.union([v.number(), v.bigint(), v.string()])),
  baseline: v.nullable(v.union([v.number(), v.bigint(), v.string()])),
  /** current − baseline (exact for byte totals); null for times and unknowns. */
  change: v.nullable(v.union([v.number(), v.bigint()])),
  /** (current − baseline) / |baseline| × 100; null when the baseline is 0 or unknown. */
  change_percent: v.nullable(v.number()),
});
export interface ComparedField extends v.InferOutput<typeof ComparedFieldSchema> {}

/** Fields that are instants, not amounts: shown side by side, not subtracted. */
const INSTANTS = new Set(["earliest_processing", "latest_processing"]);

const asBig = (x: number | bigint) => (typeof x === "bigint" ? x : Number.isInteger(x) ? BigInt(x) : null);

/** current − baseline, exactly when both are integers (byte totals may exceed 2^53). */
function difference(current: number | bigint, baseline: number | bigint): number | bigint {
  const a = asBig(current);
  const b = asBig(baseline);
  if (a !== null && b !== null) {
    const d = a - b;
    return d >= BigInt(Number.MIN_SAFE_INTEGER) && d <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(d) : d;
  }
  return Math.round((Number(current) - Number(baseline)) * 1e9) / 1e9;
}

/**
 * Every field of two summaries side by side, in the summary's order, with the absolute and
 * percentage change from `baseline` to `current`.
 *
 * @example compareSummaries(thisWeek, lastWeek).find((f) => f.field === "total_size_saved")
 * // { field: "total_size_saved", current: 3000, baseline: 2000, change: 1000, change_percent: 50 }
 */
export function compareSummaries(current: StatsSummary, baseline: StatsSummary): ComparedField[] {
  return (Object.keys(current) as (keyof StatsSummary)[]).map((field) => {
    const a = current[field];
    const b = baseline[field];
    if (INSTANTS.has(field) || a === null || b === null || typeof a === "string" || typeof b === "string") {
      return { field, current: a, baseline: b, change: null, change_percent: null };
    }
    const change = difference(a, b);
    const base = Number(b);
    return { field, current: a, baseline: b, change, change_percent: base === 0 ? null : Math.round((Number(change) / Math.abs(base)) * 1e6) / 1e4 };
  });
}

/** Two windows and every summary field over each, with the change. */
export interface Comparison {
  current: Window;
  baseline: Window;
  fields: ComparedField[];
}

/** How the window bounds are written where they came from: CLI flags, or the API's query parameters. */
export const CLI_WINDOW_NAMES = { period: "--period", since: "--since", until: "--until", toSince: "--to-since", toUntil: "--to-until" };
export const QUERY_WINDOW_NAMES = { period: "period", since: "since", until: "until", toSince: "to_since", toUntil: "to_until" };

/**
 * The windows to compare: `--period` (the last complete one against the one before), or
 * --since/--until against --to-since/--to-until (default: the window of the same length just before).
 * Messages name the bounds as `names` writes them.
 */
export function comparisonWindows(
  a: { period?: string; since?: string; until?: string; toSince?: string; toUntil?: string },
  now = new Date(),
  names: typeof CLI_WINDOW_NAMES = CLI_WINDOW_NAMES,
): { current: Window; baseline: Window } {
  const custom = a.since || a.until || a.toSince || a.toUntil;
  if (a.period && custom) {
    throw new VpoError("INVALID_ARGUMENT", `Give either ${names.period} or windows (${names.since}/${names.until}, ${names.toSince}/${names.toUntil}), not both`);
  }
  if (!custom) {
    const period = (a.period || "week") as (typeof PERIODS)[number];
    const current = lastCompletePeriod(period, now);
    return { current, baseline: previousWindow(current, period) };
  }
  const bounded = (since: string | undefined, until: string | undefined, flags: string) => {
    if (!since || !until) throw new VpoError("INVALID_ARGUMENT", `Comparing windows needs both ${flags}`);
    const r = parseClosedRange({ since, until }, now);
    return customWindow(r.since, r.until);
  };
  const baselineNames = `${names.toSince} and ${names.toUntil}`;
  const current = bounded(a.since, a.until, `${names.since} and ${names.until}`);
  const baseline = a.toSince || a.toUntil ? bounded(a.toSince, a.toUntil, baselineNames) : previousWindow(current);
  // The same length just before a window that starts near the year 0001 starts before it.
  if (!/^\d{4}-/.test(baseline.since)) {
    throw new VpoError("INVALID_ARGUMENT", `The window before ${current.label} would start before the year 0001: give the one to compare with (${baselineNames})`);
  }
  return { current, baseline };
}

/** Both summaries and their comparison (what `/api/stats/compare` answers too). */
export async function compareWindows(db: Db, windows: { current: Window; baseline: Window }, scope: RunScope): Promise<Comparison> {
  const current = await getSummary(db, { since: windows.current.since, until: windows.current.until, ...scope });
  const baseline = await getSummary(db, { since: windows.baseline.since, until: windows.baseline.until, ...scope });
  return { ...windows, fields: compareSummaries(current, baseline) };
}

