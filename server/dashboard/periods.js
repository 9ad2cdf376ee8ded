// Trend periods as the API names them (UTC day "2026-01-31", ISO week "2026-W05", month
// "2026-01"), and the runs of periods a chart's span covers, empty ones included.

const DAY = 86_400_000;

/** The period's first instant, in ms (UTC). */
export function periodStart(period) {
  const week = /^(\d{4})-W(\d{2})$/.exec(period);
  if (week) return isoWeekOneMonday(Number(week[1])) + (Number(week[2]) - 1) * 7 * DAY;
  return Date.parse(period.length === 7 ? `${period}-01T00:00:00Z` : `${period}T00:00:00Z`);
}

/** Monday of ISO week 1 of `year`: the week that holds January 4th. */
function isoWeekOneMonday(year) {
  const jan4 = Date.UTC(year, 0, 4);
  return jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY;
}

/** The start (ms) of the period holding instant `ms`. */
export function floorPeriod(ms, groupBy) {
  const d = new Date(ms);
  if (groupBy === "month") return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const day = Math.floor(ms / DAY) * DAY;
  return groupBy === "week" ? day - ((new Date(day).getUTCDay() + 6) % 7) * DAY : day;
}

/** The start of the period after the one starting at `start`. */
export function nextPeriod(start, groupBy) {
  if (groupBy === "month") {
    const d = new Date(start);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  }
  return start + (groupBy === "week" ? 7 : 1) * DAY;
}

/** The API's name of the period starting at `start` (an ISO week belongs to the year of its Thursday). */
export function periodKey(start, groupBy) {
  const iso = new Date(start).toISOString();
  if (groupBy === "day") return iso.slice(0, 10);
  if (groupBy === "month") return iso.slice(0, 7);
  const year = new Date(start + 3 * DAY).getUTCFullYear();
  const week = 1 + Math.round((start - isoWeekOneMonday(year)) / (7 * DAY));
  return `${year}-W${String(week).padStart(2, "0")}`;
}

/**
 * Every period overlapping [from, to) in order, each with its TrendPoint from `points` (or
 * undefined: the API leaves out periods without runs), its start and end, and the part of it
 * inside the span.
 */
export function periodsOver(points, groupBy, [from, to]) {
  const byKey = new Map(points.map((p) => [p.period, p]));
  const out = [];
  for (let start = floorPeriod(from, groupBy); start < to && out.length < 5000; start = nextPeriod(start, groupBy)) {
    const end = nextPeriod(start, groupBy);
    const key = periodKey(start, groupBy);
    out.push({ key, start, end, shownStart: Math.max(start, from), shownEnd: Math.min(end, to), point: byKey.get(key) });
  }
  return out;
}
