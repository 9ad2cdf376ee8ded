import type { Db } from "../db/handle.ts";
import { VpoError } from "../errors.ts";
import { dayOf, nextDayStart, normalizeRange, num, runFilter } from "./_filters.ts";
import { metricRows } from "./_metric_rows.ts";
import { rebuildRollups } from "./_rollup.ts";
import { appendToFeed } from "./feed_write.ts";
import { retentionHorizon } from "./retention.ts";
import type { PurgeCounts, PurgeOptions } from "./views.ts";
import { takeWriteLock } from "../db/write_lock.ts";

const CHILD_TABLES = ["action_results", "performance_metrics", "plugin_metrics", "plugin_errors"] as const;

/**
 * Deletes runs recorded before `before` (exclusive), of `policy`, or both; or every run with
 * `all`. Their actions, phases, plugin metrics and plugin errors go with them, and the
 * rollup is recomputed for the days and policies touched, and the purge goes on the run feed, all
 * in one transaction.
 * Returns the rows removed per table, counted first; `dryRun` only counts.
 *
 * @example await purgeRuns(db, { before: parseTimeBound("90d", "since"), dryRun: true })
 */
export async function purgeRuns(db: Db, options: PurgeOptions): Promise<PurgeCounts> {
  const { before, policy } = checkCriteria(options);
  const where = runFilter({ until: before }, { policy });
  // Days before a retention horizon hold totals but no runs: the purge still removes those totals.
  const horizon = await retentionHorizon(db);
  refuseSplitExpiredDay(horizon, before);
  return db.transaction().execute(async (trx) => {
    await takeWriteLock(trx);
    const doomed = trx.selectFrom("processing_stats").select("processing_stats.id").where(where);
    const counted = await trx
      .selectNoFrom((eb) => [
        eb.selectFrom("processing_stats").select(eb.fn.countAll().as("n")).where(where).as("processing_stats"),
        // Metrics are counted one by one, as they are reported, not by the row each run keeps them in.
        ...CHILD_TABLES.map((t) =>
          eb.selectFrom((t === "plugin_metrics" ? metricRows(trx) : t) as "action_results").select(eb.fn.countAll().as("n")).where("stats_id", "in", doomed).as(t)
        ),
      ])
      .executeTakeFirstOrThrow();
    const counts = Object.fromEntries(Object.entries(counted).map(([t, n]) => [t, num(n)])) as unknown as PurgeCounts;
    if (options.dryRun || (counts.processing_stats === 0 && horizon === null)) return counts;

    // Children explicitly rather than by ON DELETE CASCADE, so a connection opened without
    // foreign_keys=ON cannot leave orphans behind.
    for (const t of CHILD_TABLES) await trx.deleteFrom(t).where("stats_id", "in", doomed).execute();
    await trx.deleteFrom("processing_stats").where(where).execute();

    // Every rollup row the purge touched lies in this region: days up to the one holding the last
    // purged instant, of the purged policy. Rebuilding the whole region from the runs left is exact
    // and needs no list of keys; only the boundary day can still have runs in it.
    const lastDay = before === undefined ? undefined : dayOf(new Date(Date.parse(before) - 1).toISOString());
    const regionEnd = lastDay === undefined ? undefined : nextDayStart(lastDay);
    await rebuildRollups(trx, { range: { until: regionEnd }, scope: { policy } });
    await appendToFeed(trx, [{ kind: "purge", run_id: null }]);
    return counts;
  });
}

/**
 * Runs before the retention horizon are gone and only their daily totals remain, so a cutoff
 * inside such a day cannot be honoured: it would drop the whole day's totals. Ask for a whole day.
 */
function refuseSplitExpiredDay(horizon: string | null, before: string | undefined): void {
  if (before === undefined || Date.parse(before) % 86_400_000 === 0) return;
  if (horizon === null || before >= horizon) return;
  const day = dayOf(before);
  throw new VpoError(
    "INVALID_ARGUMENT",
    `Runs before ${dayOf(horizon)} were removed by retention and only their daily totals remain; a purge can remove those only by whole days: use --before ${day} or --before ${dayOf(nextDayStart(day))}`,
  );
}

function checkCriteria(options: PurgeOptions): { before?: string; policy?: string } {
  const { before, policy, all } = options;
  if (all) {
    if (before !== undefined || policy !== undefined) {
      throw new VpoError("INVALID_ARGUMENT", "A purge of every run cannot also name a cutoff time or a policy");
    }
    return {};
  }
  if (before === undefined && policy === undefined) {
    throw new VpoError("INVALID_ARGUMENT", "A purge needs a cutoff time, a policy, or to be told to delete every run: refusing to guess which runs to delete");
  }
  // An empty name would otherwise match nothing, and silently purge nothing.
  if (policy !== undefined && policy.trim() === "") throw new VpoError("INVALID_ARGUMENT", "A purge by policy must name the policy");
  return { before: normalizeRange({ until: before }).until, policy };
}
