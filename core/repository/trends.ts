import type { Db } from "../db/handle.ts";
import { VpoError } from "../errors.ts";
import { exactInteger } from "../json.ts";
import { normalizeRange, type TotalsSource } from "./_filters.ts";
import { addTotals, queryTotals, savedBytes, type Totals } from "./_totals.ts";
import type { TrendGroupBy, TrendPoint, TrendsOptions } from "./views.ts";

const DAY_MS = 86_400_000;

/**
 * The ISO-8601 week of a UTC day, as "2026-W05". The week belongs to the year of its Thursday,
 * so 2027-01-01 is "2026-W53" and 2025-12-29 is "2026-W01".
 */
export function isoWeek(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  const mondayBased = (date.getUTCDay() + 6) % 7;
  const thursday = new Date(date.getTime() + (3 - mondayBased) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return `${year}-W${String(week).padStart(2, "0")}`;
}

/** The rollup columns a trend point shows. */
const TREND_COLUMNS = ["runs", "successes", "size_before_hi", "size_before_lo", "size_after_hi", "size_after_lo"] as const;

const PERIOD: Record<TrendGroupBy, (day: string) => string> = {
  day: (day) => day,
  week: isoWeek,
  month: (day) => day.slice(0, 7),
};

/**
 * Runs, outcomes and sizes per UTC day, ISO week or month, oldest first; periods without runs
 * are omitted. Whole days come from the stats_rollup, partial edge days from its hour tier and
 * a scan of their partial edge hours, like getSummary; days are bucketed into weeks and months here so every source shares one calendar.
 *
 * @example await getTrends(db, { ...parseTimeRange({ since: "2026-01-01" }), groupBy: "week" })
 */
export async function getTrends(db: Db, options: TrendsOptions): Promise<TrendPoint[]> {
  return trendsFrom(db, options, "auto");
}

/** getTrends with the source chosen; exported for the tests that all sources agree. */
export async function trendsFrom(db: Db, options: TrendsOptions, source: TotalsSource): Promise<TrendPoint[]> {
  const periodOf = PERIOD[options.groupBy];
  if (!periodOf) {
    throw new VpoError("INVALID_ARGUMENT", `Invalid groupBy "${options.groupBy}": expected one of ${Object.keys(PERIOD).join(", ")}`);
  }
  const days = await queryTotals(db, { ...options, range: normalizeRange(options), group: "day", source, columns: TREND_COLUMNS });
  // By day, the days as they come (one each, in order): two years are 731 of them.
  if (options.groupBy === "day") return days.map(({ key, totals }) => trendPoint(key, totals));
  const buckets = new Map<string, Totals>();
  for (const { key, totals } of days) {
    const period = periodOf(key);
    const seen = buckets.get(period);
    buckets.set(period, seen ? addTotals(seen, totals) : totals);
  }
  // Day, "YYYY-Www" and month keys are all fixed-width, so string order is time order.
  return [...buckets.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([period, t]) => trendPoint(period, t));
}

const trendPoint = (period: string, t: Totals): TrendPoint => ({
  period,
  files_processed: t.runs,
  successes: t.successes,
  failures: t.runs - t.successes,
  size_before: exactInteger(t.size_before),
  size_after: exactInteger(t.size_after),
  size_saved: exactInteger(savedBytes(t)),
});
