/**
 * Test-only: the rollups as kept (every tier), and as a rebuild from the runs would make them, for
 * tests that hold the incremental folds to the rebuild.
 */
import type { Db } from "../db/handle.ts";
import type { Tier } from "./_filters.ts";
import { rebuildRollups } from "./_rollup.ts";

const SCOPED_KEYS = ["day", "policy_name", "library", "node"] as const;

/** Floating sums rounded: summed in another order they differ in the last bits. */
export const round = (x: unknown) => (x === null ? null : Number(Number(x).toPrecision(12)));

type Suffix = Tier["suffix"];

/** One tier of every rollup, in key order. */
async function tier(db: Db, suffix: Suffix) {
  const keys = suffix.startsWith("_unscoped") ? ["day"] : SCOPED_KEYS;
  const ordered = <Q extends { orderBy(column: never): Q }>(query: Q, columns: readonly string[]) => columns.reduce((q, c) => q.orderBy(c as never), query);
  const stats = await ordered(db.selectFrom(`stats_rollup${suffix}`).selectAll(), keys).execute();
  const codecs = await ordered(db.selectFrom(`codec_rollup${suffix}`).selectAll(), [...keys, "codec_before", "codec_after"]).execute();
  const metrics = await ordered(db.selectFrom(`metric_rollup${suffix}`).selectAll(), [...keys, "plugin", "key"]).execute();
  const phases = await ordered(db.selectFrom(`phase_rollup${suffix}`).selectAll(), [...keys, "phase_name"]).execute();
  const failures = await ordered(db.selectFrom(`failure_rollup${suffix}`).selectAll(), [...keys, "status", "reason"]).execute();
  return {
    stats: stats.map((r) => ({ ...r, duration_sum: round(r.duration_sum) })),
    codecs,
    metrics: metrics.map((r) => ({ ...r, num_sum: round(r.num_sum) })),
    phases: phases.map((r) => ({ ...r, total_seconds: round(r.total_seconds), fps_sum: round(r.fps_sum), ok_fps_sum: round(r.ok_fps_sum) })),
    failures,
  };
}

/** Every tier of every rollup as kept, and the unscoped twins of the day and month tiers. */
export async function rollupRows(db: Db) {
  return {
    hourly: await tier(db, "_hour"), daily: await tier(db, ""), monthly: await tier(db, "_month"),
    dailyUnscoped: await tier(db, "_unscoped"), monthlyUnscoped: await tier(db, "_unscoped_month"),
  };
}

const ROLLBACK = new Error("rollback");

/** The rollups as a rebuild from the runs would make them (computed in a transaction that is rolled back). */
export async function rebuiltRollupRows(db: Db) {
  let rebuilt: Awaited<ReturnType<typeof rollupRows>> | undefined;
  await db.transaction().execute(async (trx) => {
    await rebuildRollups(trx);
    rebuilt = await rollupRows(trx);
    throw ROLLBACK;
  }).catch((error) => {
    if (error !== ROLLBACK) throw error;
  });
  return rebuilt!;
}
