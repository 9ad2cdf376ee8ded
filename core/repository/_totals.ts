import { type CompiledQuery, type RawBuilder, sql } from "kysely";
import type { Db } from "../db/handle.ts";
import type { TimeRange } from "../time_filter.ts";
import {
  complementEdges, DAILY, isDayAligned, rollupConditions, runConditions, shapeOf, valuesOf, isHourAligned, isMonthAligned, normalizeRange, type Part, rollupFilter, roundSeconds, runFilter, splitHours, splitRange, type RunScope,
  tierTable, type TierSource, type TotalsSource, widenBeforeHorizon,
} from "./_filters.ts";
import { horizonQuery } from "./retention.ts";
import { type AnySelect, Batch, type BatchSelect, type TaggedRow } from "./_union.ts";
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
 * runs as at ten million; with no policy, library or node to filter or group by, the months and
 * days come from their unscoped twins (tierTable). Every part is read in one statement (readParts).
 */
export async function queryTotals(db: Db, q: TotalsQuery): Promise<{ key: string; totals: Totals }[]> {
  const read = totalsRead(db, q);
  return read.finish(read.statement === null ? [] : (await db.executeQuery<Record<string, unknown>>(read.statement)).rows);
}

/** A read of totals to send alone or with others (readTogether): its statement, and what its rows make. */
export interface TotalsRead<T = { key: string; totals: Totals }[]> {
  statement: CompiledQuery | null;
  finish(rows: readonly Record<string, unknown>[]): Promise<T>;
}

/** queryTotals as a read. */
export function totalsRead(db: Db, q: TotalsQuery): TotalsRead {
  const months = q.group !== "day";
  const auto = q.source === "auto";
  const plan: Part[] = q.source === "auto" ? splitRange(q.range, { months }) : [{ range: q.range, source: q.source }];
  const refine = (parts: Part[]) => (auto ? complementEdges(splitHours(parts), { months }) : parts);
  // A partial edge day before the retention horizon is answered by its whole day (its runs are
  // gone). The horizon is read in the statement that reads the parts, and the parts are read again
  // widened only when it says so: nearly never, as retention has reached few windows.
  const first = partsRead(db, q, refine(plan), auto && plan.some((part) => part.source === "raw"));
  return {
    statement: first.statement,
    async finish(firstRows) {
      const read = first.finish(firstRows);
      const widened = read.horizon === null ? plan : widenBeforeHorizon(plan, read.horizon);
      const unchanged = widened.length === plan.length && widened.every((part, i) => part === plan[i]);
      const rows = unchanged ? read.rows : await readParts(db, q, refine(widened));
      const merged = new Map<string, Totals>();
      for (const { key, totals } of rows) {
        const seen = merged.get(key);
        merged.set(key, seen ? addTotals(seen, totals) : totals);
      }
      if (q.group === "all" && merged.size === 0) merged.set("", EMPTY_TOTALS);
      return [...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, totals]) => ({ key, totals }));
    },
  };
}

type Rows = { key: string; totals: Totals }[];

/** What a part makes of the rows of the statement: its rows. */
type Read = (rows: TaggedRow[][]) => Rows;

/**
 * The rows of `parts`, in their order, and the retention horizon when asked for: ONE statement (a
 * UNION ALL of every part's SELECT, see Batch). On PostgreSQL a view was a round trip per part
 * (3–13), run at once on the pool: one statement does the same work with less CPU in all.
 */
function partsRead(db: Db, q: TotalsQuery, parts: Part[], withHorizon: boolean): { statement: CompiledQuery | null; finish(rows: readonly Record<string, unknown>[]): { rows: Rows; horizon: string | null } } {
  const batch = new Batch(db, Object.keys(totalsAggregates("rollup", q.columns)));
  const reads = parts.map((part) => (part.source === "complement" ? addComplement(db, batch, q, part) : addPart(db, batch, q, part.range, part.source as Source)));
  const horizonTag = withHorizon ? batch.add({ shape: "the runs' horizon", values: [], build: () => [null, { key: sql`''`, at: sql`(${horizonQuery(db, "runs")})` }] }) : undefined;
  return {
    statement: batch.statement(),
    finish(statementRows) {
      const rows = batch.byTag(statementRows);
      return { rows: reads.flatMap((read) => read(rows)), horizon: horizonTag === undefined ? null : (rows[horizonTag]![0]?.at ?? null) };
    },
  };
}

/** The rows of `parts` (no horizon), read alone. */
async function readParts(db: Db, q: TotalsQuery, parts: Part[]): Promise<Rows> {
  const read = partsRead(db, q, parts, false);
  return read.finish(read.statement === null ? [] : (await db.executeQuery<Record<string, unknown>>(read.statement)).rows).rows;
}

function addPart(db: Db, batch: Batch, q: TotalsQuery, range: TimeRange, source: Source): Read {
  const tag = batch.add(partSelect(db, q, range, source));
  return (rows) => totalsOf(rows[tag]!);
}

/**
 * An edge answered as its whole hour (day, month) less the rest of it. The first (or last) instant
 * of what is left is the whole's when nothing was taken from that side, else the next run in order
 * through the processed_at index (or, for the hours of a day or the days of a month, the first or
 * last of its hour or daily rows), every key in the same statement.
 */
function addComplement(db: Db, batch: Batch, q: TotalsQuery, part: Part): Read {
  const { whole, minus } = part as Required<Part>;
  const wholeTag = batch.add(partSelect(db, q, whole.range, whole.source as Source));
  const minusTag = batch.add(partSelect(db, q, minus.range, minus.source as Source));
  const instants = !q.columns || q.columns.includes("first_at") || q.columns.includes("last_at");
  const instantsTag = instants ? batch.add(instantsSelect(db, q, part)) : undefined;
  return (rows) => {
    const wholeRows = totalsOf(rows[wholeTag]!);
    const taken = new Map(totalsOf(rows[minusTag]!).map(({ key, totals }) => [key, totals]));
    const left = new Map((instantsTag === undefined ? [] : rows[instantsTag]!).map((row) => [String(row.key), row.at ?? null]));
    const out: Rows = [];
    for (const { key, totals: all } of wholeRows) {
      const rest = taken.get(key);
      if (rest === undefined) out.push({ key, totals: all });
      else if (rest.runs < all.runs) {
        const next = left.get(key) ?? null;
        out.push({ key, totals: subtractTotals(all, rest, fromStart(part) ? { first_at: next, last_at: all.last_at } : { first_at: all.first_at, last_at: next }) });
      }
    }
    return out;
  };
}

type Source = "raw" | TierSource;

/** True when the part taken from a complement edge is at the start of its unit. */
const fromStart = (part: Part) => part.minus!.range.since === part.whole!.range.since;

/**
 * The SELECT of the instant of what is left of a complement edge, on the side its minus part was
 * taken from, for every key at once: for a tier, from the rows of what is left (the hours of a
 * day, the days of a month); for runs, per key of the runs taken, the next run of that key in
 * order through the processed_at index (a key not taken keeps the whole's instant).
 */
function instantsSelect(db: Db, q: TotalsQuery, part: Part): BatchSelect {
  const first = fromStart(part);
  const order = first ? "asc" : "desc";
  if (part.minus!.source === "raw") {
    const key = runKey(q.group);
    const rest = runConditions(part.range, q);
    const next = (keyOfTaken: RawBuilder<string> | null) =>
      db
        .selectFrom("processing_stats")
        .select("processed_at")
        .where(runFilter(part.range, q))
        .$if(keyOfTaken !== null, (qb) => qb.where(sql<boolean>`${key} = ${keyOfTaken}`))
        .orderBy("processed_at", order)
        .limit(1);
    if (q.group === "all") return { shape: `the next run ${order} where ${shapeOf(rest)}`, values: [...valuesOf(rest), 1], build: () => [null, { key: sql`''`, at: sql`(${next(null)})` }] };
    // The keys taken, as a table of their own: inside the subquery, processing_stats is its own rows.
    const taken = runConditions(part.minus!.range, q);
    return {
      shape: `the next run ${order} by ${q.group} where ${shapeOf(rest)}, of the keys of the runs where ${shapeOf(taken)}`,
      // In the order of the SQL: the subquery of the selected columns, then the FROM.
      values: [...valuesOf(rest), 1, ...valuesOf(taken)],
      build: () => {
        const keys = db.selectFrom("processing_stats").where(runFilter(part.minus!.range, q)).select(key.as("key")).groupBy(key);
        return [db.selectFrom(keys.as("taken")) as AnySelect, { key: sql`taken.key`, at: sql`(${next(sql<string>`taken.key`)})` }];
      },
    };
  }
  const source = part.minus!.source as TierSource;
  const table = tierTable("stats_rollup", source, q, byScope(q.group));
  const conditions = rollupConditions(part.range, q, table);
  return {
    shape: `the ${first ? "first" : "last"} instants of ${table} (${source}) by ${q.group} where ${shapeOf(conditions)}`,
    values: valuesOf(conditions),
    build: () => {
      const tierKey = rollupKey(q.group, source);
      const query = db
        .selectFrom(table)
        .where(rollupFilter(part.range, q, table))
        .$if(q.group !== "all", (qb) => qb.groupBy(tierKey));
      return [query, { key: tierKey, at: first ? sql`min(first_at)` : sql`max(last_at)` }];
    },
  };
}

const ALIGNED: Record<TierSource, (range: TimeRange) => boolean> = { hour: isHourAligned, rollup: isDayAligned, month: isMonthAligned };

/** The SELECT of a part's totals per key, from the runs or a tier of the rollup. */
function partSelect(db: Db, q: TotalsQuery, range: TimeRange, source: Source): BatchSelect {
  const grouped = q.group !== "all";
  const columns = q.columns?.join() ?? "every column";
  if (source === "raw") {
    const conditions = runConditions(range, q);
    return {
      shape: `the totals of ${columns} of the runs by ${q.group} where ${shapeOf(conditions)}`,
      values: valuesOf(conditions),
      build: () => {
        const key = runKey(q.group);
        const query = db.selectFrom("processing_stats").where(runFilter(range, q)).$if(grouped, (qb) => qb.groupBy(key));
        return [query, { key, values: totalsAggregates("runs", q.columns) }];
      },
    };
  }
  // The rollup only knows whole days (its tiers whole hours, months): a partial one would be silently widened.
  if (!ALIGNED[source](range)) throw new Error(`the ${source} rollup cannot answer ${JSON.stringify(range)}`);
  const table = tierTable("stats_rollup", source, q, byScope(q.group));
  // By day from the unscoped day rows: one row a key, read as it is.
  const rowPerKey = q.group === "day" && table === "stats_rollup_unscoped";
  const conditions = rollupConditions(range, q, table);
  return {
    shape: `the totals of ${columns} of ${table} (${source}) by ${q.group}${rowPerKey ? ", a row a key," : ""} where ${shapeOf(conditions)}`,
    values: valuesOf(conditions),
    build: () => {
      const key = rollupKey(q.group, source);
      const query = db.selectFrom(table).where(rollupFilter(range, q, table)).$if(grouped && !rowPerKey, (qb) => qb.groupBy(key));
      return [query, { key, values: totalsAggregates(rowPerKey ? "row" : "rollup", q.columns) }];
    },
  };
}

/** A part's rows as totals; an aggregate over no rows still gives one row (of zeros) when ungrouped. */
const totalsOf = (rows: TaggedRow[]): Rows => rows.filter((row) => Number(row.runs) > 0).map((row) => ({ key: String(row.key), totals: toTotals(row) }));

/** The group key over a tier's rows: grouped by day, an hour row's `day` is cut to its day. */
function rollupKey(group: TotalsGroup, source: TierSource): RawBuilder<string> {
  if (group === "all") return sql<string>`''`;
  if (group === "day" && source === "hour") return DAILY.fromFiner;
  return sql<string>`${sql.ref(group === "policy" ? "policy_name" : group)}`;
}

/** True when a group is a scope column (then only the scoped tiers can answer). */
const byScope = (group: TotalsGroup) => group === "policy" || group === "library" || group === "node";

function runKey(group: TotalsGroup): RawBuilder<string> {
  if (group === "all") return sql<string>`''`;
  return RUN_KEY[group === "policy" ? "policy_name" : group];
}

/** Saved bytes (exact): before − after over the same runs. */
export const savedBytes = (t: Totals): bigint => t.size_before - t.size_after;

/** Saved bytes as a percentage of the bytes before, 0 when nothing was measured. */
export const savingsPercent = (t: Totals): number => (t.size_before === 0n ? 0 : (Number(savedBytes(t)) / Number(t.size_before)) * 100);

/**
 * The rollup columns savedBytes, savingsPercent and workTotals read: a view that shows only those
 * (and a few more) asks for them alone (TotalsQuery.columns), and the server sums a third of the
 * columns (each a numeric sum over the month, day and hour rows of the window).
 */
export const WORK_COLUMNS = [
  "size_before_hi", "size_before_lo", "size_after_hi", "size_after_lo", "audio_removed", "subtitles_removed", "attachments_removed", "videos_transcoded",
  "audio_transcoded", "duration_sum", "duration_count",
] as const satisfies readonly RollupColumn[];

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
