import { VpoError } from "./errors.ts";

const RELATIVE = /^(\d+)(m|h|d|w)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Instants are compared as ISO-8601 text, which sorts as time does only with a four-digit year (0001–9999). */
const EARLIEST_INSTANT_MS = Date.parse("0001-01-01T00:00:00.000Z");
const INSTANT_END_MS = Date.parse("+010000-01-01T00:00:00.000Z");
/** Views count by calendar month: a window starting later would need months past the year 9999. */
const LATEST_WINDOW_START_MS = Date.parse("9999-12-01T00:00:00.000Z");

export const ACCEPTED_TIME_FORMS =
  "an ISO date (2026-01-31), an ISO datetime (2026-01-31T12:00:00Z, UTC unless an offset is given) or a relative time (30m, 24h, 7d, 2w)";

/**
 * Parses a time bound into a UTC ISO string. `until` with a date-only value means the end of
 * that day (the bound is exclusive of the next day's start), so `--until 2026-01-31` includes
 * all of January 31st.
 *
 * @example parseTimeBound("7d", "since", new Date("2026-01-10T00:00:00Z")) // "2026-01-03T00:00:00.000Z"
 */
export function parseTimeBound(value: string, bound: "since" | "until", now = new Date(), field: string = bound): string {
  return new Date(Math.min(instantOf(value, bound, now, field), INSTANT_END_MS - 1)).toISOString();
}

/** The instant a bound names, in ms; within the years instants are kept in (a date-only `until` may end on INSTANT_END_MS). */
function instantOf(value: string, bound: "since" | "until", now: Date, field: string): number {
  const text = value.trim();
  const named = namedInstant(text, now);
  // Outside 0001–9999 an instant's ISO text no longer sorts as time does ("+010000-…" < "2026-…"):
  // say so, rather than answer a wrong range or fail inside a view.
  if (named === undefined) throw invalid(value, field);
  if (named < EARLIEST_INSTANT_MS || named >= INSTANT_END_MS) {
    throw new VpoError("INVALID_ARGUMENT", `Invalid ${field} "${value}": it is outside the years 0001–9999`);
  }
  // `until` is exclusive internally: a date-only value ends at the first instant of the next day.
  return bound === "until" && DATE_ONLY.test(text) ? named + UNIT_MS.d : named;
}

/** The instant a time text names (a date-only one: its first instant), or undefined when it names none. */
function namedInstant(text: string, now: Date): number | undefined {
  const rel = RELATIVE.exec(text);
  if (rel) {
    // "99999999999d" is long before the year 0001 (as far as -Infinity): refused by the caller.
    return now.getTime() - Number(rel[1]) * UNIT_MS[rel[2] as keyof typeof UNIT_MS];
  }
  if (DATE_ONLY.test(text)) {
    const start = Date.parse(`${text}T00:00:00Z`);
    return Number.isNaN(start) || new Date(start).toISOString().slice(0, 10) !== text ? undefined : start;
  }
  if (DATETIME.test(text)) {
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(text);
    const parsed = Date.parse(hasZone ? text.replace(" ", "T") : `${text.replace(" ", "T")}Z`);
    if (!Number.isNaN(parsed)) return parsed;
  }
  return undefined;
}

function invalid(value: string, field: string): VpoError {
  return new VpoError("INVALID_ARGUMENT", `Invalid ${field} "${value}": expected ${ACCEPTED_TIME_FORMS}`);
}

/** A half-open UTC interval [since, until); either side may be open. */
export interface TimeRange {
  since?: string;
  until?: string;
}

/** Builds a TimeRange from user input; undefined or empty strings leave that side open. */
export function parseTimeRange(input: { since?: string | null; until?: string | null }, now = new Date()): TimeRange {
  const range: TimeRange = {};
  if (input.since) {
    const start = instantOf(input.since, "since", now, "since");
    if (start > LATEST_WINDOW_START_MS) throw new VpoError("INVALID_ARGUMENT", `Invalid since "${input.since}": a window starts on 9999-12-01 at the latest`);
    range.since = new Date(start).toISOString();
  }
  if (input.until) {
    // A datetime `until` is inclusive of that instant: shift by 1 ms to keep the interval half-open.
    const end = instantOf(input.until, "until", now, "until") + (DATE_ONLY.test(input.until.trim()) ? 0 : 1);
    // Ending after the year 9999 is no bound: nothing is stored later.
    if (end < INSTANT_END_MS) range.until = new Date(end).toISOString();
  }
  if (range.since && range.until && range.since >= range.until) {
    throw new VpoError("INVALID_ARGUMENT", `Invalid time range: since (${input.since}) is not before until (${input.until})`);
  }
  return range;
}

/**
 * A window with both ends given (a report's, a comparison's). An until at the end of 9999, which
 * leaves a TimeRange open, cannot close one.
 */
export function parseClosedRange(input: { since: string; until: string }, now = new Date()): Required<TimeRange> {
  const range = parseTimeRange(input, now);
  if (range.since === undefined || range.until === undefined) {
    throw new VpoError("INVALID_ARGUMENT", `Invalid until "${input.until}": a window ends before the year 10000 (9999-12-30 at the latest as a date)`);
  }
  return { since: range.since, until: range.until };
}
