import { type Expression, type RawBuilder, type SqlBool, expressionBuilder, sql } from "kysely";
import type { Database } from "../db/schema.ts";
import { VpoError } from "../errors.ts";
import type { TimeRange } from "../time_filter.ts";

/** Helpers shared by the stats queries: time windows, run filters, argument checks. */

const DAY_MS = 86_400_000;

/**
 * Re-serialises both bounds with toISOString. processed_at is stored in exactly that form, so
 * plain string comparison (which the processed_at index serves) is then exact.
 */
export function normalizeRange(range: TimeRange): TimeRange {
  const out: TimeRange = {};
  for (const side of ["since", "until"] as const) {
    const value = range[side];
    if (value === undefined) continue;
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) throw new VpoError("INVALID_ARGUMENT", `Invalid ${side} "${value}": expected a UTC ISO-8601 datetime`);
    out[side] = new Date(ms).toISOString();
  }
  return out;
}

/** True when every given bound is a UTC midnight, so whole stats_rollup rows answer the query. */
export function isDayAligned(range: TimeRange): boolean {
  return [range.since, range.until].every((b) => b === undefined || Date.parse(b) % DAY_MS === 0);
}

/**
 * Where totals come from: the rollup, the runs themselves, or "auto" — whole days from
 * the rollup and only the partial days at the edges of the window from the runs.
 */
export type TotalsSource = "auto" | "rollup" | "raw";

const HOUR_MS = 3_600_000;
const floorHour = (iso: string) => new Date(Math.floor(Date.parse(iso) / HOUR_MS) * HOUR_MS).toISOString();
const ceilHour = (iso: string) => new Date(Math.ceil(Date.parse(iso) / HOUR_MS) * HOUR_MS).toISOString();
/** The instant a millisecond later: the hour an instant is in ends at ceilHour of it. */
const nextInstant = (iso: string) => new Date(Date.parse(iso) + 1).toISOString();

const floorDay = (iso: string) => new Date(Math.floor(Date.parse(iso) / DAY_MS) * DAY_MS).toISOString();
const ceilDay = (iso: string) => new Date(Math.ceil(Date.parse(iso) / DAY_MS) * DAY_MS).toISOString();

const floorMonth = (iso: string) => `${iso.slice(0, 7)}-01T00:00:00.000Z`;
const ceilMonth = (iso: string) => {
  const floor = floorMonth(iso);
  if (floor === iso) return iso;
  const d = new Date(floor);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)).toISOString();
};

/**
 * Where a part of a window is read: the runs, the hour tier of the rollups, the daily rollups,
 * their month tier, or — for an edge covering most of its hour (day, month) — as the `whole` hour
 * (day, month) less the `minus` part, the shorter rest of it; the part itself is then readable
 * from where `minus` is.
 */
export type PartSource = "raw" | TierSource | "complement";
export type Part = { range: TimeRange; source: PartSource; whole?: Part; minus?: Part };

/**
 * Splits a window into the whole UTC months inside it (answered by the month tier of the
 * rollups), the whole days of its edge months (the daily rollups) and the partial days at either
 * edge (left "raw" here: splitHours cuts them into whole hours and partial edge hours). Totals are
 * additive, so the parts sum to exactly what one scan would give, and a view over years reads a row
 * per month, not per day. `months: false` stops at days (for views grouped by day). A window with
 * no whole day inside is a single raw part.
 */
export function splitRange(range: TimeRange, options: { months?: boolean } = {}): Part[] {
  const { since, until } = range;
  const bodySince = since === undefined ? undefined : ceilDay(since);
  const bodyUntil = until === undefined ? undefined : floorDay(until);
  if (bodySince !== undefined && bodyUntil !== undefined && bodySince >= bodyUntil) return [{ range, source: "raw" }];
  const parts: Part[] = [];
  if (since !== undefined && since < bodySince!) parts.push({ range: { since, until: bodySince }, source: "raw" });
  const days = { since: bodySince, until: bodyUntil };
  parts.push(...(options.months === false ? [{ range: days, source: "rollup" as const }] : splitDays(days)));
  if (until !== undefined && bodyUntil! < until) parts.push({ range: { since: bodyUntil, until }, source: "raw" });
  return parts;
}

/** Whole days as whole months (month tier) and the days of the edge months (daily rollups). */
function splitDays(days: TimeRange): Part[] {
  const { since, until } = days;
  const monthsSince = since === undefined ? undefined : ceilMonth(since);
  const monthsUntil = until === undefined ? undefined : floorMonth(until);
  if (monthsSince !== undefined && monthsUntil !== undefined && monthsSince >= monthsUntil) return [{ range: days, source: "rollup" }];
  const parts: Part[] = [];
  if (since !== undefined && since < monthsSince!) parts.push({ range: { since, until: monthsSince }, source: "rollup" });
  parts.push({ range: { since: monthsSince, until: monthsUntil }, source: "month" });
  if (until !== undefined && monthsUntil! < until) parts.push({ range: { since: monthsUntil, until }, source: "rollup" });
  return parts;
}

/**
 * Each raw part (a partial edge day, after widenBeforeHorizon) as the whole UTC hours inside it
 * (the hour tier) and its partial edge hours (the runs): no part scans more than an hour of runs.
 */
export function splitHours(parts: Part[]): Part[] {
  return parts.flatMap((part): Part[] => {
    const { since, until } = part.range;
    if (part.source !== "raw" || since === undefined || until === undefined) return [part];
    const hoursSince = ceilHour(since);
    const hoursUntil = floorHour(until);
    if (hoursSince >= hoursUntil) return [part];
    return [
      ...(since < hoursSince ? [{ range: { since, until: hoursSince }, source: "raw" as const }] : []),
      { range: { since: hoursSince, until: hoursUntil }, source: "hour" as const },
      ...(hoursUntil < until ? [{ range: { since: hoursUntil, until }, source: "raw" as const }] : []),
    ];
  });
}

/** The unit an edge part lies in, one tier coarser than where it is read: an hour, a day or a month. */
const ENCLOSING: Partial<Record<PartSource, { whole: TierSource; unit: (since: string) => TimeRange }>> = {
  raw: { whole: "hour", unit: (since) => ({ since: floorHour(since), until: ceilHour(nextInstant(since)) }) },
  hour: { whole: "rollup", unit: (since) => ({ since: floorDay(since), until: nextDayStart(dayOf(since)) }) },
  rollup: { whole: "month", unit: (since) => ({ since: floorMonth(since), until: ceilMonth(nextDayStart(dayOf(since))) }) },
};

/**
 * The parts with each edge that covers more than half of its unit answered as the whole unit less
 * the rest of it (source "complement"): a partial hour as its hour's row less the runs of the rest
 * of the hour, the hours of an edge day as its day's row less the hour rows of its other hours, the
 * days of an edge month as its month row less the daily rows of its other days. A window starting
 * just after a midnight then reads the few runs and hours before its start, not the day's
 * thousands of runs after it. Only parts inside one unit touching one of its ends qualify; others
 * are kept. Apply after widenBeforeHorizon and splitHours. `months: false` keeps days whole (for
 * views grouped by day).
 */
export function complementEdges(parts: Part[], options: { months?: boolean } = {}): Part[] {
  return parts.map((part) => {
    const { since, until } = part.range;
    const enclosing = ENCLOSING[part.source];
    if (enclosing === undefined || (part.source === "rollup" && options.months === false) || since === undefined || until === undefined) return part;
    const unit = enclosing.unit(since);
    if (until > unit.until!) return part;
    const rest = since === unit.since ? { since: until, until: unit.until } : until === unit.until ? { since: unit.since, until: since } : null;
    if (rest === null || Date.parse(rest.until!) - Date.parse(rest.since!) >= Date.parse(until) - Date.parse(since)) return part;
    return { range: part.range, source: "complement", whole: { range: unit, source: enclosing.whole }, minus: { range: rest, source: part.source } };
  });
}

/**
 * The parts a view reads a window in: splitRange, edge days before the retention `horizon` widened
 * to whole days (their runs are gone), the other edge days cut into hours, and the edges
 * complemented. `complementMonths: false` keeps the days of edge months as days; `complement:
 * false` complements nothing (for aggregates that cannot be subtracted, such as a maximum).
 */
export function planParts(range: TimeRange, horizon: string | null, options: { complementMonths?: boolean; complement?: boolean } = {}): Part[] {
  const split = splitRange(range);
  const hours = splitHours(horizon === null ? split : widenBeforeHorizon(split, horizon));
  return options.complement === false ? hours : complementEdges(hours, { months: options.complementMonths });
}

/** A day-aligned range widened to whole months (the month tier rows it touches). */
export const widenToMonths = (range: TimeRange): TimeRange => ({
  since: range.since === undefined ? undefined : floorMonth(range.since),
  until: range.until === undefined ? undefined : ceilMonth(range.until),
});

/** True when every given bound is the first instant of a UTC hour. */
export const isHourAligned = (range: TimeRange): boolean => [range.since, range.until].every((b) => b === undefined || floorHour(b) === b);

/** True when every given bound is the first instant of a UTC month. */
export const isMonthAligned = (range: TimeRange): boolean => [range.since, range.until].every((b) => b === undefined || floorMonth(b) === b);



/**
 * The parts of splitRange once runs before `horizon` (a UTC midnight) were deleted by retention:
 * an edge day before it can no longer be scanned, so it is answered by its whole day from the
 * rollup — the window is widened to whole days there (windowWidenedBy says so to the user).
 */
export function widenBeforeHorizon(parts: Part[], horizon: string): Part[] {
  const out: Part[] = [];
  for (const part of parts) {
    const { since, until } = part.range;
    if (part.source !== "raw" || since === undefined || until === undefined || since >= horizon) {
      out.push(part);
      continue;
    }
    out.push({ range: { since: floorDay(since), until: until <= horizon ? ceilDay(until) : horizon }, source: "rollup" });
    if (until > horizon) out.push({ range: { since: horizon, until }, source: "raw" });
  }
  return out;
}

/** The window actually answered when retention's horizon widened it to whole days, or null when it was answered exactly. */
export function windowWidenedBy(range: TimeRange, horizon: string | null): TimeRange | null {
  if (horizon === null) return null;
  const normal = normalizeRange(range);
  const parts = splitRange(normal);
  const widened = widenBeforeHorizon(parts, horizon);
  if (widened.every((p, i) => p === parts[i]) && widened.length === parts.length) return null;
  return { since: widened[0]!.range.since, until: widened.at(-1)!.range.until };
}

/** The UTC day ("2026-01-31") of an ISO instant. */
export const dayOf = (iso: string): string => iso.slice(0, 10);

/** The first instant of the day after `day`, as an ISO string. */
export const nextDayStart = (day: string): string => new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString();

/** Which runs a view covers besides its time window; each is optional. */
export interface RunScope {
  policy?: string;
  /** A library name from `[libraries]`. */
  library?: string;
  /** A node name. */
  node?: string;
}

/**
 * A filter as its conditions, in order: what it compares (its shape, the same SQL for any values)
 * and the values, its parameters in that order. A statement compiled once per shape
 * (compiled_once.ts) takes a filter's values without building it.
 */
export type Conditions = [column: string, op: ">=" | "<" | "=", value: string][];

/** The shape of conditions: what their SQL says, whatever their values. */
export const shapeOf = (conditions: Conditions): string => conditions.map(([column, op]) => `${column}${op}`).join(",");

/** The parameters of conditions, in order. */
export const valuesOf = (conditions: Conditions): string[] => conditions.map(([, , value]) => value);

/** The conditions of runFilter. */
export function runConditions(range: TimeRange, scope: RunScope = {}): Conditions {
  const out: Conditions = [];
  if (range.since !== undefined) out.push(["processing_stats.processed_at", ">=", range.since]);
  if (range.until !== undefined) out.push(["processing_stats.processed_at", "<", range.until]);
  if (scope.policy !== undefined) out.push(["processing_stats.policy_name", "=", scope.policy]);
  if (scope.library !== undefined) out.push(["processing_stats.library", "=", scope.library]);
  if (scope.node !== undefined) out.push(["processing_stats.node", "=", scope.node]);
  return out;
}

/** Conditions as one expression (true when there are none). */
function whereAll(conditions: Conditions): Expression<SqlBool> {
  const eb = expressionBuilder<Database, "processing_stats">();
  return eb.and(conditions.map(([column, op, value]) => eb(sql.ref(column), op, value)));
}

/**
 * The hour key ("2026-01-31T13") of a window of runs inside one UTC hour (a partial edge hour, as
 * every view reads), else null. Said in SQL (HOUR_OF_RUN = it), it changes nothing in what is read,
 * but PostgreSQL then guesses such a read holds a few runs, not 0.5% of them all: its generic plan
 * (made once, for any window, see genericPlan) walks the window's runs through the processed_at
 * index and joins each, as the plan made for the values does, instead of hashing every phase or
 * metric of the history (1.5 s at 1M runs).
 */
export function hourOf(range: TimeRange): string | null {
  if (range.since === undefined || range.until === undefined || range.since >= range.until) return null;
  const hour = range.since.slice(0, 13);
  return new Date(Date.parse(range.until) - 1).toISOString().slice(0, 13) === hour ? hour : null;
}

/** The hour key of a run, to compare with hourOf. */
export const HOUR_OF_RUN = sql<string>`substr(processing_stats.processed_at, 1, 13)`;

/** processing_stats rows within [since, until) and of the scope's policy, library and node. */
export const runFilter = (range: TimeRange, scope: RunScope = {}): Expression<SqlBool> => whereAll(runConditions(range, scope));

/** The daily rollup tables: each keyed by (day, policy_name, library, node), and more. */
export type DailyRollupTable = "stats_rollup" | "codec_rollup" | "metric_rollup" | "phase_rollup" | "failure_rollup";
/**
 * Every rollup table: the daily ones, their hour tier (`day` = "YYYY-MM-DDTHH") and month tier
 * (`day` = the month's first day), and the unscoped twins of the day and month tiers.
 */
export type RollupTable = DailyRollupTable | `${DailyRollupTable}${Tier["suffix"]}`;

/** The scope keys of a scoped rollup row: the run's policy, library and node. */
export const SCOPE_KEYS = ["policy_name", "library", "node"] as const;

/** True when a scope names a policy, library or node. */
const scoped = (scope: RunScope) => scope.policy !== undefined || scope.library !== undefined || scope.node !== undefined;

/**
 * The table answering a rollup part: the daily rollup, or its hour or month tier — for whole days
 * and months of a read with no policy, library or node in its filter and not grouped by one of
 * them (`byScope`), their unscoped twin: a row per day (month) instead of one per scope.
 */
export const tierTable = <T extends DailyRollupTable>(table: T, source: TierSource, scope: RunScope, byScope: boolean): `${T}${Tier["suffix"]}` => {
  const tier = TIER_OF[source];
  const read = tier.unscoped !== undefined && !byScope && !scoped(scope) ? tier.unscoped : tier;
  return `${table}${read.suffix}`;
};

/** The tier of a rollup table, from its suffix. */
const tierOfTable = (table: RollupTable): Tier => TIERS_BY_SUFFIX.find((t) => t.suffix !== "" && table.endsWith(t.suffix)) ?? DAILY;

/** The `day` key of an instant (or of a finer tier's key) in the tier of `table`: its hour, day or month prefix. */
export const tierKeyOf = (table: RollupTable, iso: string): string => tierOfTable(table).keyOf(iso);

/** The conditions of rollupFilter. */
export function rollupConditions(range: TimeRange, scope: RunScope = {}, table: RollupTable = "stats_rollup"): Conditions {
  // An unscoped table has no scope keys: a scoped read of it would fail in SQL, or worse, be widened.
  if (!tierOfTable(table).scoped && scoped(scope)) throw new Error(`${table} has no policy, library or node to filter on`);
  const out: Conditions = [];
  if (range.since !== undefined) out.push([`${table}.day`, ">=", tierKeyOf(table, range.since)]);
  if (range.until !== undefined) out.push([`${table}.day`, "<", tierKeyOf(table, range.until)]);
  if (scope.policy !== undefined) out.push([`${table}.policy_name`, "=", scope.policy]);
  if (scope.library !== undefined) out.push([`${table}.library`, "=", scope.library]);
  if (scope.node !== undefined) out.push([`${table}.node`, "=", scope.node]);
  return out;
}

/** Rows of a rollup covering the whole units (hours, days, months) of an aligned range, of the scope's policy, library and node. */
export const rollupFilter = (range: TimeRange, scope: RunScope = {}, table: RollupTable = "stats_rollup"): Expression<SqlBool> =>
  whereAll(rollupConditions(range, scope, table));

/** Rejects a limit that is not a positive integer (a bad limit must not silently mean "all"). */
export function checkLimit(limit: number | undefined, field = "limit"): number | undefined {
  if (limit === undefined) return undefined;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new VpoError("INVALID_ARGUMENT", `Invalid ${field} "${limit}": expected a positive integer`);
  }
  return limit;
}

/**
 * Durations are summed in a different order by the rollup and by a scan, which can differ in
 * the last bits of a double; milliseconds is finer than any run is timed, and makes both agree.
 */
export const roundSeconds = (seconds: number): number => Math.round(seconds * 1000) / 1000;

/** Aggregates come back as strings on PostgreSQL (numeric) and null over no rows: make them numbers. */
export const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));
export const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/** A stored 0/1 flag as a boolean (Number() also accepts a PostgreSQL boolean). */
export const flag = (value: unknown): boolean => Number(value) === 1;
export const flagOrNull = (value: unknown): boolean | null => (value === null || value === undefined ? null : flag(value));

/** The rollup key of a run (its daily key). */
export const RUN_KEY = {
  day: sql<string>`substr(processed_at, 1, 10)`,
  policy_name: sql<string>`policy_name`,
  library: sql<string>`coalesce(library, '')`,
  node: sql<string>`coalesce(node, '')`,
};

/** Where a tier is read from in a Part. */
export type TierSource = "hour" | "rollup" | "month";

/**
 * A tier of the rollups, finest first: the same sums per UTC hour, day and month, in tables of the
 * same columns told apart by `suffix`, the `day` key holding "YYYY-MM-DDTHH", "YYYY-MM-DD" or the
 * month's first day. Each key is a prefix of the finer one (the month's with "-01"), so `keyOf`
 * maps an instant and a finer key alike, and `fromFiner` is that in SQL over a finer tier's `day`.
 *
 * The day and month tiers have an unscoped twin: the same sums keyed by time (and the rollup's own
 * keys) alone, without policy, library and node, so a view with no scope reads a row per day or
 * month rather than one per scope. A twin is derived from its scoped tier (`fromFiner` is then the
 * same key). The hour tier has none: a window reads at most its two edge days of hours.
 */
export interface Tier {
  source: TierSource;
  suffix: "_hour" | "" | "_month" | "_unscoped" | "_unscoped_month";
  /** False for an unscoped twin, whose rows have no policy_name, library and node. */
  scoped: boolean;
  /** The unscoped twin of a scoped tier. */
  unscoped?: Tier;
  /** The key of a run in this tier. */
  key: typeof RUN_KEY;
  keyOf(isoOrKey: string): string;
  fromFiner: RawBuilder<string>;
}

const dayKeyOf = (k: string) => k.slice(0, 10);
const monthKeyOf = (k: string) => `${k.slice(0, 7)}-01`;
const MONTH_KEY = { ...RUN_KEY, day: sql<string>`substr(processed_at, 1, 7) || '-01'` };

export const HOURLY: Tier = {
  source: "hour", suffix: "_hour", scoped: true, key: { ...RUN_KEY, day: sql<string>`substr(processed_at, 1, 13)` }, keyOf: (k) => k.slice(0, 13), fromFiner: sql<string>`day`,
};
export const DAILY: Tier = {
  source: "rollup", suffix: "", scoped: true, key: RUN_KEY, keyOf: dayKeyOf, fromFiner: sql<string>`substr(day, 1, 10)`,
  unscoped: { source: "rollup", suffix: "_unscoped", scoped: false, key: RUN_KEY, keyOf: dayKeyOf, fromFiner: sql<string>`day` },
};
export const MONTHLY: Tier = {
  source: "month", suffix: "_month", scoped: true, key: MONTH_KEY, keyOf: monthKeyOf, fromFiner: sql<string>`substr(day, 1, 7) || '-01'`,
  unscoped: { source: "month", suffix: "_unscoped_month", scoped: false, key: MONTH_KEY, keyOf: monthKeyOf, fromFiner: sql<string>`day` },
};
/** Finest first: each is folded from the one before it (and each twin from its tier). */
export const TIERS = [HOURLY, DAILY, MONTHLY] as const;
const TIER_OF: Record<TierSource, Tier> = { hour: HOURLY, rollup: DAILY, month: MONTHLY };
/** Every tier and twin, the longest suffixes first (so "_unscoped_month" is told from "_month"). */
const TIERS_BY_SUFFIX = [MONTHLY.unscoped!, DAILY.unscoped!, HOURLY, MONTHLY, DAILY];
