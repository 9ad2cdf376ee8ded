import { type RawBuilder, sql } from "kysely";
import type { Db } from "../db/handle.ts";
import type { TimeRange } from "../time_filter.ts";
import {
  complementEdges, DAILY, isDayAligned, isHourAligned, isMonthAligned, normalizeRange, type Part, rollupFilter, roundSeconds, runFilter, splitHours, splitRange, type RunScope,
  tierTable, type TierSource, type TotalsSource, widenBeforeHorizon,
} from "./_filters.ts";
import { retentionHorizon } from "./retention.ts";
import { addTotals, EMPTY_TOTALS, type RollupColumn, RUN_KEY, subtractTotals, type Totals, toTotals, totalsAggregates } from "./_rollup.ts";

export { addTotals, type Totals } from "./_rollup.ts";

/** How totals are grouped: one row, or one per policy, UTC day, library or node. */
export type TotalsGroup = "all" | "policy" | "day" | "library" | "node";

export interface TotalsQuery extends RunScope {
  range: TimeRange;
  group: TotalsGroup;
  source: TotalsSource;
  /** The rollup columns the caller reads (default all); the others come back as 0 (instants as null). */
  columns?: readonly RollupColumn[];
}

/**
 * Totals keyed by group ("" for "all"), ordered by key. `range` must be normalised. Whole months
 * come from the month tier of stats_rollup, other whole days from its daily rows, the whole hours
 * of the edge days from its hour tier, and only the partial hours at the edges of the window from
 * the runs (see splitRange, splitHours, complementEdges), so a view costs the same at ten thousand
 * runs as at ten million.
 */
export async function queryTotals(db: Db, q: TotalsQuery): Promise<{ key: string; totals: Totals }[]> {
  const read = (part: Part) => (part.source === "complement" ? queryComplement(db, q, part) : queryPart(db, q, part.range, part.source as Source));
  const readAll = async (parts: Part[]) => (await Promise.all(parts.map(read))).flat();
  // The parts are independent: on PostgreSQL they run at once on the pool (SQLite takes them in
  // turn), merged in their order.
  const answers = await Promise.all(q.source === "auto" ? autoParts(db, q.range, q.group, readAll) : [readAll([{ range: q.range, source: q.source }])]);
  const merged = new Map<string, Totals>();
  for (const rows of answers) {
    for (const { key, totals } of rows) {
      const seen = merged.get(key);
      merged.set(key, seen ? addTotals(seen, totals) : totals);
    }
  }
  if (q.group === "all" && merged.size === 0) merged.set("", EMPTY_TOTALS);
  return [...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, totals]) => ({ key, totals }));
}

/**
 * The rows of each part of splitRange (whole months only when not grouped by day), its edge days
 * cut into hours (splitHours) and refined by complementEdges. A partial edge day before the retention horizon is answered by its
 * whole day (its runs are gone): the edge is read at once, beside the horizon, and read again
 * widened only when the horizon says so — on PostgreSQL one round trip less for every window
 * that retention has not reached, which is nearly every window.
 */
function autoParts(db: Db, range: TimeRange, group: TotalsGroup, readAll: (parts: Part[]) => Promise<Rows>): Promise<Rows>[] {
  const months = group !== "day";
  let horizon: Promise<string | null> | undefined;
  const refined = (parts: Part[]) => complementEdges(splitHours(parts), { months });
  return splitRange(range, { months }).map(async (part) => {
    if (part.source !== "raw") return readAll(refined([part]));
    const [at, rows] = await Promise.all([(horizon ??= retentionHorizon(db)), readAll(refined([part]))]);
    const widened = at === null ? [part] : widenBeforeHorizon([part], at);
    return widened.length === 1 && widened[0] === part ? rows : readAll(refined(widened));
  });
}

type Rows = { key: string; totals: Totals }[];

/**
 * An edge answered as its whole hour (day, month) less the rest of it. The first (or last) instant
 * of what is left is the whole's when nothing was taken from that side, else the next run in order
 * through the processed_at index (or, for the hours of a day or the days of a month, the first or
 * last of its hour or daily rows, every key in one query).
 */
async function queryComplement(db: Db, q: TotalsQuery, part: Part) {
  const { whole, minus } = part as Required<Part>;
  // When one cheap query answers every key (a month's daily rows, or the one key of "all"), it is
  // asked beside the parts rather than after them: one round trip less, for a query at most wasted.
  const early = minus.source !== "raw" || q.group === "all" ? instantsLeft(db, q, part, "every") : null;
  const [minusRows, wholeRows, earlyInstants] = await Promise.all([queryPart(db, q, minus.range, minus.source as Source), queryPart(db, q, whole.range, whole.source as Source), early]);
  const taken = new Map(minusRows.map(({ key, totals }) => [key, totals]));
  const reduced = wholeRows.filter(({ key, totals }) => taken.has(key) && taken.get(key)!.runs < totals.runs).map(({ key }) => key);
  const instants = earlyInstants ?? (await instantsLeft(db, q, part, reduced));
  const out: { key: string; totals: Totals }[] = [];
  for (const { key, totals: all } of wholeRows) {
    const rest = taken.get(key);
    if (rest === undefined) out.push({ key, totals: all });
    else if (rest.runs < all.runs) {
      const next = instants.get(key) ?? null;
      out.push({ key, totals: subtractTotals(all, rest, fromStart(part) ? { first_at: next, last_at: all.last_at } : { first_at: all.first_at, last_at: next }) });
    }
  }
  return out;
}

type Source = "raw" | TierSource;

/** True when the part taken from a complement edge is at the start of its unit. */
const fromStart = (part: Part) => part.minus!.range.since === part.whole!.range.since;

/**
 * For each key (of `keys`, or "every" key: only where one query answers them all), the instant of
 * what is left of the edge on the side the minus part was taken from.
 */
async function instantsLeft(db: Db, q: TotalsQuery, part: Part, keys: string[] | "every"): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  if ((keys !== "every" && keys.length === 0) || (q.columns && !q.columns.includes("first_at") && !q.columns.includes("last_at"))) return out;
  const first = fromStart(part);
  if (part.minus!.source === "raw") {
    if (keys === "every" && q.group !== "all") throw new Error("the instants of every key of a day are one query per key");
    const rows = await Promise.all(
      (keys === "every" ? [""] : keys).map((key) =>
        db
          .selectFrom("processing_stats")
          .select("processed_at")
          .where(runFilter(part.range, q))
          .$if(q.group !== "all", (qb) => qb.where(runKey(q.group), "=", key))
          .orderBy("processed_at", first ? "asc" : "desc")
          .limit(1)
          .executeTakeFirst(),
      ),
    );
    (keys === "every" ? [""] : keys).forEach((key, i) => out.set(key, rows[i]?.processed_at ?? null));
  } else {
    // What is left is read at the tier of the minus part: the hours of a day, the days of a month.
    const source = part.minus!.source as TierSource;
    const key = rollupKey(q.group, source);
    const table = tierTable("stats_rollup", source);
    const rows = await db
      .selectFrom(table)
      .select([first ? sql<string | null>`min(first_at)`.as("at") : sql<string | null>`max(last_at)`.as("at"), key.as("key")])
      .where(rollupFilter(part.range, q, table))
      .$if(q.group !== "all", (qb) => qb.groupBy(key))
      .$if(q.group !== "all" && keys !== "every", (qb) => qb.where(key, "in", keys as string[]))
      .execute();
    for (const row of rows) out.set(String(row.key), row.at ?? null);
  }
  return out;
}

const ALIGNED: Record<TierSource, (range: TimeRange) => boolean> = { hour: isHourAligned, rollup: isDayAligned, month: isMonthAligned };

async function queryPart(db: Db, q: TotalsQuery, range: TimeRange, source: Source) {
  const grouped = q.group !== "all";
  let rows: Record<string, unknown>[];
  if (source !== "raw") {
    // The rollup only knows whole days (its tiers whole hours, months): a partial one would be silently widened.
    if (!ALIGNED[source](range)) throw new Error(`the ${source} rollup cannot answer ${JSON.stringify(range)}`);
    const key = rollupKey(q.group, source);
    const table = tierTable("stats_rollup", source);
    rows = await db
      .selectFrom(table)
      .where(rollupFilter(range, q, table))
      .select(Object.entries(totalsAggregates("rollup", q.columns)).map(([name, e]) => e.as(name)))
      .select(key.as("key"))
      .$if(grouped, (qb) => qb.groupBy(key))
      .execute();
  } else {
    const key = runKey(q.group);
    rows = await db
      .selectFrom("processing_stats")
      .where(runFilter(range, q))
      .select(Object.entries(totalsAggregates("runs", q.columns)).map(([name, e]) => e.as(name)))
      .select(key.as("key"))
      .$if(grouped, (qb) => qb.groupBy(key))
      .execute();
  }
  // An aggregate over no rows still gives one row (of zeros) when ungrouped.
  return rows.filter((row) => Number(row.runs) > 0).map((row) => ({ key: String(row.key), totals: toTotals(row) }));
}

/** The group key over a tier's rows: grouped by day, an hour row's `day` is cut to its day. */
function rollupKey(group: TotalsGroup, source: TierSource): RawBuilder<string> {
  if (group === "all") return sql<string>`''`;
  if (group === "day" && source === "hour") return DAILY.fromFiner;
  return sql<string>`${sql.ref(group === "policy" ? "policy_name" : group)}`;
}

function runKey(group: TotalsGroup): RawBuilder<string> {
  if (group === "all") return sql<string>`''`;
  return RUN_KEY[group === "policy" ? "policy_name" : group];
}

/** Saved bytes (exact): before − after over the same runs. */
export const savedBytes = (t: Totals): bigint => t.size_before - t.size_after;

/** Saved bytes as a percentage of the bytes before, 0 when nothing was measured. */
export const savingsPercent = (t: Totals): number => (t.size_before === 0n ? 0 : (Number(savedBytes(t)) / Number(t.size_before)) * 100);

/** The work totals the policy and breakdown views share, in their field names. */
export const workTotals = (t: Totals) => ({
  audio_tracks_removed: t.audio_removed,
  subtitle_tracks_removed: t.subtitles_removed,
  attachments_removed: t.attachments_removed,
  videos_transcoded: t.videos_transcoded,
  audio_transcoded: t.audio_transcoded,
  avg_processing_time: t.duration_count === 0 ? null : roundSeconds(t.duration_sum / t.duration_count),
});

/** Totals of one policy over a window. */
export interface PolicyTotals {
  policy: string;
  totals: Totals;
}

/**
 * Raw totals per policy (exact bigint bytes, status counts, the duration histogram) over the
 * window and scope: what /metrics, reports and comparisons build on.
 */
export async function getPolicyTotals(db: Db, filter: RunScope & TimeRange = {}): Promise<PolicyTotals[]> {
  const rows = await queryTotals(db, { ...filter, range: normalizeRange(filter), group: "policy", source: "auto" });
  return rows.map(({ key, totals }) => ({ policy: key, totals }));
}
