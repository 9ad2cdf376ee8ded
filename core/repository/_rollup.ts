import { type Expression, type RawBuilder, type SqlBool, sql } from "kysely";
import type { Db } from "../db/handle.ts";
import type { StatsRollupTable } from "../db/schema.ts";
import { CODEC_ROLLUP, METRIC_ROLLUP, type MetricRollupRow } from "./_detail_rollups.ts";
import { RUN_KEY, runFilter, widenToMonths } from "./_filters.ts";
import { FAILURE_ROLLUP, noteRepeatedFailures } from "./_failure_rollup.ts";
import { PHASE_ROLLUP } from "./_phase_rollup.ts";
import { foldIntoTiers, type Merge, rebuildTiers, type Region, type RollupRow, type RollupShape } from "./_rollup_tiers.ts";
import { retentionHorizon } from "./retention.ts";

export { RUN_KEY };

/**
 * The stats_rollup table, defined once: each column is the SQL sum of one contribution per run
 * over processing_stats. The same definition rebuilds the rollup (migrations, purge), folds each
 * batch of new runs into it (recordRuns) and answers the partial days at the edge of a window, so
 * the rollup and a scan of the runs cannot disagree by construction.
 *
 * What each total counts (README "What the totals count"): runs by status over every run; work
 * done — sizes, tracks removed, transcodes, encoders — over successful runs only, sizes only where
 * both are known; time over every run that reported a duration.
 */

/** Upper bounds (seconds) of the run-duration histogram buckets (Prometheus `le`). */
export const DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200] as const;

/**
 * Byte sums are kept as hi × 2^24 + lo. A run's size is at most 2^50 bytes (MAX_BYTES), so each
 * part of one run is below 2^26 and no 64-bit sum overflows before 2^37 runs; the parts are read
 * as exact decimal text and combined as bigint.
 */
const SPLIT_BITS = 24;
const LOW_MASK = 2 ** SPLIT_BITS - 1;

const ok = sql`success = 1`;
const sized = sql`success = 1 and size_before is not null and size_after is not null`;
const sumWhen = (cond: RawBuilder<unknown>, value: RawBuilder<unknown> = sql`1`) => sql<number>`coalesce(sum(case when ${cond} then ${value} else 0 end), 0)`;
const hi = (col: string) => sumWhen(sized, sql`(${sql.ref(col)} >> ${sql.lit(SPLIT_BITS)})`);
const lo = (col: string) => sumWhen(sized, sql`(${sql.ref(col)} & ${sql.lit(LOW_MASK)})`);

export type RollupColumn = Exclude<keyof StatsRollupTable, "day" | "policy_name" | "library" | "node">;

/** Each rollup column as an aggregate over processing_stats rows. */
export const RUN_CONTRIBUTIONS: Record<RollupColumn, RawBuilder<unknown>> = {
  runs: sql`count(*)`,
  successes: sumWhen(sql`status = 'success'`),
  failures: sumWhen(sql`status = 'failed'`),
  interruptions: sumWhen(sql`status = 'interrupted'`),
  size_before_hi: hi("size_before"),
  size_before_lo: lo("size_before"),
  size_after_hi: hi("size_after"),
  size_after_lo: lo("size_after"),
  audio_removed: sumWhen(ok, sql`coalesce(audio_tracks_removed, 0)`),
  subtitles_removed: sumWhen(ok, sql`coalesce(subtitle_tracks_removed, 0)`),
  attachments_removed: sumWhen(ok, sql`coalesce(attachments_removed, 0)`),
  videos_transcoded: sumWhen(sql`success = 1 and video_transcode_skipped = 0`),
  videos_skipped: sumWhen(sql`success = 1 and video_transcode_skipped = 1`),
  audio_transcoded: sumWhen(ok, sql`coalesce(audio_tracks_transcoded, 0)`),
  hardware_encodes: sumWhen(sql`success = 1 and encoder_type = 'hardware'`),
  software_encodes: sumWhen(sql`success = 1 and encoder_type = 'software'`),
  duration_sum: sql`coalesce(sum(duration_seconds), 0)`,
  duration_count: sql`count(duration_seconds)`,
  ...(Object.fromEntries(
    DURATION_BUCKETS.map((le, i) => [`duration_le_${i}`, sumWhen(sql`duration_seconds <= ${sql.lit(le)}`)]),
  ) as Record<`duration_le_${number}`, RawBuilder<unknown>>),
  first_at: sql`min(processed_at)`,
  last_at: sql`max(processed_at)`,
} as Record<RollupColumn, RawBuilder<unknown>>;

export const ROLLUP_COLUMNS = Object.keys(RUN_CONTRIBUTIONS) as RollupColumn[];
const SUMMED = ROLLUP_COLUMNS.filter((c) => c !== "first_at" && c !== "last_at");

const KEY_COLUMNS = Object.keys(RUN_KEY) as (keyof typeof RUN_KEY)[];

/** stats_rollup: RUN_CONTRIBUTIONS per key, summed but for the first and last instants. */
export const STATS_ROLLUP: RollupShape = {
  table: "stats_rollup",
  keys: [],
  merge: Object.fromEntries(ROLLUP_COLUMNS.map((c) => [c, c === "first_at" ? "min" : c === "last_at" ? "max" : "sum"])) as Record<RollupColumn, Merge>,
  contributions: (db, where, tier) =>
    db
      .selectFrom("processing_stats")
      .where(where)
      .select([...KEY_COLUMNS.map((k) => tier.key[k].as(k)), ...ROLLUP_COLUMNS.map((c) => RUN_CONTRIBUTIONS[c].as(c))])
      .groupBy(KEY_COLUMNS.map((k) => tier.key[k])),
};

const ROLLUPS = [STATS_ROLLUP, CODEC_ROLLUP, METRIC_ROLLUP, PHASE_ROLLUP, FAILURE_ROLLUP] as const;

/**
 * Adds the contribution of the runs matching `where` to every tier of every rollup (an upsert per
 * key); the metrics from `metrics` when the caller added them up (MetricContributions), else from
 * the table.
 */
export async function foldIntoRollup(db: Db, where: Expression<SqlBool>, metrics?: MetricRollupRow[]): Promise<void> {
  await foldIntoTiers(db, STATS_ROLLUP, where);
  await foldIntoTiers(db, CODEC_ROLLUP, where);
  // From the figures the batch added up in memory: a GROUP BY over 18 rows a run cost more than storing them.
  await foldIntoTiers(db, METRIC_ROLLUP, where, metrics as RollupRow[] | undefined);
  await foldIntoTiers(db, PHASE_ROLLUP, where);
  await foldIntoTiers(db, FAILURE_ROLLUP, where);
  await noteRepeatedFailures(db, where);
}

/**
 * Recomputes the rollup rows of a region — or all of them — from the runs left: the region's hour
 * rows are rebuilt from its runs, its daily rows from those, and the month rows of every month the
 * region touches from the daily rows (see rebuildTiers). The region must cover every day a deleted
 * run was on: whole UTC days, optionally of one policy.
 */
export type { Region };

export async function rebuildRollups(db: Db, region?: Region): Promise<void> {
  const whole = region === undefined;
  region ??= await unexpiredRegion(db, "details");
  for (const shape of ROLLUPS) {
    // The failure rollup is of the runs alone: rebuilt wherever they are left, past the details' horizon too.
    const of = whole && shape === FAILURE_ROLLUP ? await unexpiredRegion(db, "runs") : region;
    const runs = of ? runFilter(of.range, of.scope) : sql<SqlBool>`1 = 1`;
    await rebuildTiers(db, shape, runs, of, of && { range: widenToMonths(of.range), scope: of.scope });
  }
}

/**
 * Days before a retention horizon have no runs (or no details) left: their rollup rows are all
 * there is of them, so a full rebuild covers only the days after. The details horizon is used for
 * the rollups of details, and for stats_rollup too (it is never before the runs horizon: a run's
 * details go with it).
 */
async function unexpiredRegion(db: Db, horizonOf: "runs" | "details"): Promise<Region | undefined> {
  const horizon = await retentionHorizon(db, horizonOf);
  if (horizon === null) return undefined;
  return { range: { since: horizon }, scope: {} };
}

/** Totals over a set of runs: what every view is computed from. */
export interface Totals
  extends Pick<
    StatsRollupTable,
    | "runs" | "successes" | "failures" | "interruptions" | "audio_removed" | "subtitles_removed" | "attachments_removed" | "videos_transcoded"
    | "videos_skipped" | "audio_transcoded" | "hardware_encodes" | "software_encodes" | "duration_sum" | "duration_count"
  > {
  /** Exact byte sums over successful runs with both sizes known. */
  size_before: bigint;
  size_after: bigint;
  /** Cumulative counts per DURATION_BUCKETS bound. */
  duration_buckets: readonly number[];
  first_at: string | null;
  last_at: string | null;
}

const asText = (e: RawBuilder<unknown>) => sql<string>`cast(${e} as text)`;

/**
 * Each column of Totals as an aggregate over rows of `source`; byte parts as exact text. Only the
 * rollup columns in `columns` (and always `runs`) are aggregated: a view that shows a few
 * columns does not pay for the others, which read as 0 (first_at and last_at as null). Source
 * "row": the columns of ONE rollup row as they are, for a read whose key is the whole key of its
 * table (an unscoped day row per day): summing each alone cost more than reading it.
 */
export function totalsAggregates(source: "rollup" | "row" | "runs", columns: readonly RollupColumn[] = ROLLUP_COLUMNS): Record<string, RawBuilder<unknown>> {
  // Built once per shape: every view call asks the same few, and building them costs more than running some queries.
  const id = `${source}:${columns.join()}`;
  let built = BUILT_AGGREGATES.get(id);
  if (built === undefined) BUILT_AGGREGATES.set(id, (built = buildAggregates(source, columns)));
  return built;
}

const BUILT_AGGREGATES = new Map<string, Record<string, RawBuilder<unknown>>>();

function buildAggregates(source: "rollup" | "row" | "runs", columns: readonly RollupColumn[]): Record<string, RawBuilder<unknown>> {
  const over = (c: RollupColumn) => (source === "runs" ? RUN_CONTRIBUTIONS[c] : source === "row" ? sql.ref(c) : sql`coalesce(sum(${sql.ref(c)}), 0)`);
  const instant = (c: "first_at" | "last_at", of: "min" | "max") => (source === "runs" ? RUN_CONTRIBUTIONS[c] : source === "row" ? sql.ref(c) : sql`${sql.raw(of)}(${sql.ref(c)})`);
  const asked = new Set<RollupColumn>(["runs", ...columns]);
  return {
    ...Object.fromEntries(SUMMED.filter((c) => asked.has(c)).map((c) => [c, c.startsWith("size_") ? asText(over(c)) : over(c)])),
    ...(asked.has("first_at") && { first_at: instant("first_at", "min") }),
    ...(asked.has("last_at") && { last_at: instant("last_at", "max") }),
  };
}

const big = (v: unknown) => BigInt(v === null || v === undefined ? 0 : typeof v === "number" ? Math.trunc(v) : String(v));
const n = (v: unknown) => (typeof v === "number" ? v : v === null || v === undefined ? 0 : Number(v));

const SPLIT = BigInt(SPLIT_BITS);
const BUCKET_COLUMNS = DURATION_BUCKETS.map((_, i) => `duration_le_${i}`);
/** The histogram of every row read without it (most views): one array, as nothing writes into a Totals. */
const NO_BUCKETS: readonly number[] = Object.freeze(DURATION_BUCKETS.map(() => 0));

/** A row of totalsAggregates as Totals. */
export function toTotals(row: Record<string, unknown>): Totals {
  const bytes = (hi: unknown, lo: unknown) => {
    // Exact in a double while below 2^53 (a trend's day, most windows): one BigInt, not two and a shift.
    const high = n(hi);
    const low = n(lo);
    const whole = high * 2 ** SPLIT_BITS + low;
    return Number.isSafeInteger(whole) && Number.isSafeInteger(high) && Number.isSafeInteger(low) ? BigInt(whole) : (big(hi) << SPLIT) + big(lo);
  };
  return {
    runs: n(row.runs),
    successes: n(row.successes),
    failures: n(row.failures),
    interruptions: n(row.interruptions),
    size_before: bytes(row.size_before_hi, row.size_before_lo),
    size_after: bytes(row.size_after_hi, row.size_after_lo),
    audio_removed: n(row.audio_removed),
    subtitles_removed: n(row.subtitles_removed),
    attachments_removed: n(row.attachments_removed),
    videos_transcoded: n(row.videos_transcoded),
    videos_skipped: n(row.videos_skipped),
    audio_transcoded: n(row.audio_transcoded),
    hardware_encodes: n(row.hardware_encodes),
    software_encodes: n(row.software_encodes),
    duration_sum: n(row.duration_sum),
    duration_count: n(row.duration_count),
    duration_buckets: row[BUCKET_COLUMNS[0]!] === undefined ? NO_BUCKETS : BUCKET_COLUMNS.map((c) => n(row[c])),
    first_at: (row.first_at as string | null) ?? null,
    last_at: (row.last_at as string | null) ?? null,
  };
}

/** Totals over no runs. */
export const EMPTY_TOTALS: Totals = toTotals({});

/** a + b (for merging edge days with whole days, and days into weeks and months). */
export function addTotals(a: Totals, b: Totals): Totals {
  const instants = [a.first_at, a.last_at, b.first_at, b.last_at].filter((x) => x !== null).sort();
  return { ...combine(a, b, 1), first_at: instants[0] ?? null, last_at: instants.at(-1) ?? null };
}

/**
 * whole − part, for the runs of `whole` that are not in `part` (a day less the runs of some of its
 * hours). Every count and sum is exact or, for durations, finer than the milliseconds shown; the
 * first and last instants cannot be subtracted, so the caller gives them.
 */
export function subtractTotals(whole: Totals, part: Totals, instants: { first_at: string | null; last_at: string | null }): Totals {
  return { ...combine(whole, part, -1), ...instants };
}

function combine(a: Totals, b: Totals, sign: 1 | -1): Omit<Totals, "first_at" | "last_at"> {
  const sum = (k: keyof Totals) => (a[k] as number) + sign * (b[k] as number);
  const bytes = (k: "size_before" | "size_after") => a[k] + BigInt(sign) * b[k];
  return {
    runs: sum("runs"),
    successes: sum("successes"),
    failures: sum("failures"),
    interruptions: sum("interruptions"),
    size_before: bytes("size_before"),
    size_after: bytes("size_after"),
    audio_removed: sum("audio_removed"),
    subtitles_removed: sum("subtitles_removed"),
    attachments_removed: sum("attachments_removed"),
    videos_transcoded: sum("videos_transcoded"),
    videos_skipped: sum("videos_skipped"),
    audio_transcoded: sum("audio_transcoded"),
    hardware_encodes: sum("hardware_encodes"),
    software_encodes: sum("software_encodes"),
    duration_sum: sum("duration_sum"),
    duration_count: sum("duration_count"),
    duration_buckets: a.duration_buckets.map((x, i) => x + sign * b.duration_buckets[i]!),
  };
}
