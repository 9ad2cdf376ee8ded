import { type Expression, type SelectQueryBuilder, type SqlBool, sql } from "kysely";
import { bulkInsertValues } from "../db/bulk_insert.ts";
import type { Db } from "../db/handle.ts";
import type { TimeRange } from "../time_filter.ts";
import { type DailyRollupTable, HOURLY, MONTHLY, rollupFilter, type RunScope, SCOPE_KEYS, type Tier, TIERS } from "./_filters.ts";

/**
 * What the three tiers of a rollup (hour, day, month: see TIERS) and the unscoped twins of the day
 * and month tiers share, once for every rollup: a batch of runs is added up per hour by one query
 * and folded into the coarser tiers in memory (the day and month rows of the hour rows, the twins'
 * rows of those), and a rebuild makes the hour rows from the runs and derives each coarser tier
 * from the finer one, each twin from its tier, in SQL — cheaper than from the runs, and the same
 * sums by construction.
 */

/** How two rows of one key merge in a column. */
export type Merge = "sum" | "min" | "max";
export type RollupRow = Record<string, unknown>;

/** A rollup as its tiers share it. */
export interface RollupShape {
  /** The daily table; the tiers add their suffix. */
  table: DailyRollupTable;
  /** Key columns beside (day, policy_name, library, node) — or beside day alone in an unscoped twin. */
  keys: readonly string[];
  /** The value columns, in table order, and how they merge. */
  merge: Readonly<Record<string, Merge>>;
  /** The rows the runs matching `where` add to `tier`: columns in the order of columnsOf. */
  contributions(db: Db, where: Expression<SqlBool>, tier: Tier): SelectQueryBuilder<any, any, any>;
}

/** The key columns of a tier's rows but `day`. */
const keysOf = (shape: RollupShape, tier: Tier) => (tier.scoped ? [...SCOPE_KEYS, ...shape.keys] : shape.keys);
const columnsOf = (shape: RollupShape, tier: Tier) => ["day", ...keysOf(shape, tier), ...Object.keys(shape.merge)];
const tableOf = (shape: RollupShape, tier: Tier) => `${shape.table}${tier.suffix}`;
const whereRegion = (table: string, region?: Region) => (region ? rollupFilter(region.range, region.scope, table as never) : sql<SqlBool>`1 = 1`);

/** Rollup rows of whole UTC days (bounds at midnight), optionally of one policy. */
export interface Region {
  range: TimeRange;
  scope: RunScope;
}

/** Two values of one column merged as `how` says (null is no value: the other wins). */
export function mergeValue(how: Merge, a: unknown, b: unknown): unknown {
  if (how === "sum") return Number(a) + Number(b);
  if (a === null || a === undefined) return b;
  if (b === null || b === undefined) return a;
  return (how === "min" ? (b as number) < (a as number) : (b as number) > (a as number)) ? b : a;
}

/**
 * Rows keyed for `tier` (from a finer tier's rows), merged per key. A row is copied only when its
 * key is new: an import coarsens hundreds of thousands of hour rows a batch.
 */
export function coarsen(rows: readonly RollupRow[], shape: RollupShape, tier: Tier): RollupRow[] {
  const out = new Map<string, RollupRow>();
  const merged = Object.entries(shape.merge);
  const keys = keysOf(shape, tier);
  for (const row of rows) {
    const day = tier.keyOf(row.day as string);
    let id = day;
    for (const k of keys) id += `\0${row[k]}`;
    const seen = out.get(id);
    if (!seen) out.set(id, { ...row, day });
    else for (const [c, how] of merged) seen[c] = mergeValue(how, seen[c], row[c]);
  }
  return [...out.values()];
}

const pick = (table: string, c: string, op: "<" | ">") =>
  `case when excluded.${c} is null then ${table}.${c} when ${table}.${c} is null then excluded.${c} when excluded.${c} ${op} ${table}.${c} then excluded.${c} else ${table}.${c} end`;
const mergeSql = (table: string, c: string, how: Merge) => `${c} = ${how === "sum" ? `${table}.${c} + excluded.${c}` : pick(table, c, how === "min" ? "<" : ">")}`;

/** Adds rows to `tier` of a rollup, merging each with the stored row of its key. */
async function upsert(db: Db, shape: RollupShape, tier: Tier, rows: readonly RollupRow[]): Promise<void> {
  const table = tableOf(shape, tier);
  const columns = columnsOf(shape, tier);
  const set = Object.entries(shape.merge).map(([c, how]) => mergeSql(table, c, how)).join(", ");
  const values: unknown[] = [];
  for (const row of rows) for (const c of columns) values.push(row[c]);
  await bulkInsertValues(db, table, columns, values, { mergeConflictsOn: { columns: ["day", ...keysOf(shape, tier)], set } });
}

/**
 * Folds the runs matching `where` into every tier of a rollup: their hour rows (`hourRows` when
 * the caller added them up, else one GROUP BY over the runs), then the day and month rows merged
 * from those in memory, and each twin's rows from its tier's (a few hundred rows a batch).
 */
export async function foldIntoTiers(db: Db, shape: RollupShape, where: Expression<SqlBool>, hourRows?: readonly RollupRow[]): Promise<void> {
  let rows = hourRows ?? (await shape.contributions(db, where, HOURLY).execute());
  if (rows.length === 0) return;
  for (const tier of TIERS) {
    if (tier !== HOURLY) rows = coarsen(rows, shape, tier);
    await upsert(db, shape, tier, rows);
    if (tier.unscoped) await upsert(db, shape, tier.unscoped, coarsen(rows, shape, tier.unscoped));
  }
}

/**
 * Recomputes every tier of a rollup in `region` (all when undefined) from the runs matching
 * `runs`: the region's hour rows from the runs, its day rows from the hours, and the month rows of
 * every month it touches (`months`) from the days — a month may hold days outside the region, or
 * days before a retention horizon, whose runs are gone. Then the twins' rows of those days and
 * months from every scope's rows of them: a region of one policy changes the sums of all.
 */
export async function rebuildTiers(db: Db, shape: RollupShape, runs: Expression<SqlBool>, region?: Region, months?: Region): Promise<void> {
  const hours = tableOf(shape, HOURLY);
  await db.deleteFrom(hours as never).where(whereRegion(hours, region) as never).execute();
  await db.insertInto(hours as never).columns(columnsOf(shape, HOURLY) as never).expression(shape.contributions(db, runs, HOURLY)).execute();
  const regionOf = (tier: Tier) => (tier === MONTHLY ? months : region);
  for (let i = 1; i < TIERS.length; i++) await derive(db, shape, TIERS[i - 1]!, TIERS[i]!, regionOf(TIERS[i]!));
  for (const tier of TIERS) {
    const of = regionOf(tier);
    if (tier.unscoped) await derive(db, shape, tier, tier.unscoped, of && { range: of.range, scope: {} });
  }
}

/** The `coarser` rows of `region` (all when undefined) recomputed from the `finer` rows of it. */
async function derive(db: Db, shape: RollupShape, finer: Tier, coarser: Tier, region?: Region): Promise<void> {
  const from = tableOf(shape, finer);
  const to = tableOf(shape, coarser);
  await db.deleteFrom(to as never).where(whereRegion(to, region) as never).execute();
  const keys = keysOf(shape, coarser);
  const values = tierAggregates(shape);
  await db
    .insertInto(to as never)
    .columns(columnsOf(shape, coarser) as never)
    .expression(db.selectFrom(from as never).where(whereRegion(from, region) as never).select([coarser.fromFiner.as("day"), ...keys, ...values] as never).groupBy([coarser.fromFiner, ...keys] as never))
    .execute();
}

/** Each value column of a rollup as its aggregate over rows of any tier (sum, min or max), named as the column. */
export const tierAggregates = (shape: RollupShape) => Object.entries(shape.merge).map(([c, how]) => sql`${sql.raw(how)}(${sql.ref(c)})`.as(c));
