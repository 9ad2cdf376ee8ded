import { VpoError } from "./errors.ts";

const RELATIVE = /^(\d+)(m|h|d|w)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

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
  const text = value.trim();
  const rel = RELATIVE.exec(text);
  if (rel) {
    const ms = Number(rel[1]) * UNIT_MS[rel[2] as keyof typeof UNIT_MS];
    const instant = new Date(now.getTime() - ms);
    // "99999999999d" is before the earliest date there is: say so rather than throw a RangeError.
    if (Number.isNaN(instant.getTime())) throw invalid(value, field);
    return instant.toISOString();
  }
  if (DATE_ONLY.test(text)) {
    const start = Date.parse(`${text}T00:00:00Z`);
    if (Number.isNaN(start) || new Date(start).toISOString().slice(0, 10) !== text) throw invalid(value, field);
    // `until` is exclusive internally: the first instant of the next day.
    return new Date(bound === "until" ? start + UNIT_MS.d : start).toISOString();
  }
  if (DATETIME.test(text)) {
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(text);
    const parsed = Date.parse(hasZone ? text.replace(" ", "T") : `${text.replace(" ", "T")}Z`);
    if (!Number.isNaN(parsed)) return new Date(parsed).toISOString();
  }
  throw invalid(value, field);
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
  if (input.since) range.since = parseTimeBound(input.since, "since", now);
  if (input.until) {
    // A datetime `until` is inclusive of that instant: shift by 1 ms to keep the interval half-open.
    const parsed = parseTimeBound(input.until, "until", now);
    range.until = DATE_ONLY.test(input.until.trim()) ? parsed : new Date(Date.parse(parsed) + 1).toISOString();
  }
  if (range.since && range.until && range.since >= range.until) {
    throw new VpoError("INVALID_ARGUMENT", `Invalid time range: since (${input.since}) is not before until (${input.until})`);
  }
  return range;
}
