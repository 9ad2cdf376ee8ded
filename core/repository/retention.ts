import { sql } from "kysely";
import type { Db } from "../db/handle.ts";
import { VpoError } from "../errors.ts";
import { appendToFeed } from "./feed_write.ts";
import { takeWriteLock } from "../db/write_lock.ts";

/**
 * Retention: runs (or only their details) recorded before a horizon are deleted, but — unlike a
 * purge — the daily rollup is kept, so every total, policy view, trend and breakdown over an
 * expired period stays as it was. The horizon (always a UTC midnight) is recorded, and views
 * answer the edge days of a window that lie before it from whole days of the rollup (see
 * queryTotals), since the runs that would refine them are gone.
 */

const DAY_MS = 86_400_000;
const CHILD_TABLES = ["action_results", "performance_metrics", "plugin_metrics", "plugin_errors"] as const;

/** What a retention pass may delete: each bound exclusive, each optional. */
export interface RetentionCutoffs {
  /** Runs processed before this (floored to UTC midnight) are deleted, their rollup kept. */
  runsBefore?: string;
  /** Actions, phases, plugin metrics and errors of runs processed before this (floored to midnight) are deleted. */
  detailsBefore?: string;
  /** Stored reports made before this are deleted. */
  reportsBefore?: string;
}

/** Rows deleted by a retention pass, per kind. */
export interface RetentionCounts {
  runs: number;
  details: number;
  reports: number;
}

/** The UTC midnight at or before an instant. */
export const floorToDay = (iso: string): string => new Date(Math.floor(Date.parse(iso) / DAY_MS) * DAY_MS).toISOString();

/** The horizon of `name` ("runs", "details"): runs (or details) before it were deleted by retention; null when none were. */
export async function retentionHorizon(db: Db, name: "runs" | "details" = "runs"): Promise<string | null> {
  const row = await horizonQuery(db, name).executeTakeFirst();
  return row?.horizon ?? null;
}

/**
 * The SELECT of a horizon (no row when none was recorded); views read it inside their own statement.
 * The name is a literal: a statement without parameters is planned once (PostgreSQL keeps its plan).
 */
export const horizonQuery = (db: Db, name: "runs" | "details") => db.selectFrom("retention_state").select("horizon").where("name", "=", sql.lit(name));

/** When retention last ran (any process), or null. */
export async function lastRetentionRun(db: Db): Promise<string | null> {
  const row = await db.selectFrom("retention_state").select("applied_at").where("name", "=", "pass").executeTakeFirst();
  return row?.applied_at ?? null;
}

/**
 * Deletes what the cutoffs name, each kind in its own write transaction, and moves the recorded
 * horizons forward (never back). The rollup is never touched. Safe to run from several processes
 * at once: the deletes are idempotent and the horizon only grows.
 *
 * @example await applyRetention(db, { runsBefore: "2026-01-01T00:00:00.000Z" }) // { runs: 1200, details: 0, reports: 0 }
 */
export async function applyRetention(db: Db, cutoffs: RetentionCutoffs, now = new Date()): Promise<RetentionCounts> {
  const counts: RetentionCounts = { runs: 0, details: 0, reports: 0 };
  const at = now.toISOString();
  if (cutoffs.detailsBefore !== undefined) {
    const before = floorToDay(check(cutoffs.detailsBefore, "detailsBefore"));
    counts.details = await db.transaction().execute(async (trx) => {
      await takeWriteLock(trx);
      const runs = trx.selectFrom("processing_stats").select("id").where("processed_at", "<", before);
      let n = 0;
      for (const t of CHILD_TABLES) n += Number((await trx.deleteFrom(t).where("stats_id", "in", runs).executeTakeFirst()).numDeletedRows);
      await advance(trx, "details", before, at);
      return n;
    });
  }
  if (cutoffs.runsBefore !== undefined) {
    const before = floorToDay(check(cutoffs.runsBefore, "runsBefore"));
    counts.runs = await db.transaction().execute(async (trx) => {
      await takeWriteLock(trx);
      const runs = trx.selectFrom("processing_stats").select("id").where("processed_at", "<", before);
      for (const t of CHILD_TABLES) await trx.deleteFrom(t).where("stats_id", "in", runs).execute();
      const n = Number((await trx.deleteFrom("processing_stats").where("processed_at", "<", before).executeTakeFirst()).numDeletedRows);
      await advance(trx, "runs", before, at);
      // A run's details go with it.
      await advance(trx, "details", before, at);
      // Run lists changed (totals did not): servers drop their cached views.
      if (n > 0) await appendToFeed(trx, [{ kind: "purge", run_id: null }]);
      return n;
    });
  }
  if (cutoffs.reportsBefore !== undefined) {
    const before = check(cutoffs.reportsBefore, "reportsBefore");
    const result = await db.deleteFrom("reports").where("claimed_at", "<", before).where("status", "!=", "building").executeTakeFirst();
    counts.reports = Number(result.numDeletedRows);
  }
  await db.transaction().execute((trx) => advance(trx, "pass", "", at));
  return counts;
}

function check(iso: string, field: string): string {
  if (Number.isNaN(Date.parse(iso))) throw new VpoError("INVALID_ARGUMENT", `Invalid ${field} "${iso}": expected a UTC ISO-8601 datetime`);
  return new Date(Date.parse(iso)).toISOString();
}

/** Sets a horizon to the later of its value and `horizon` (ISO strings of one form sort as instants). */
async function advance(trx: Db, name: string, horizon: string, at: string): Promise<void> {
  await trx
    .insertInto("retention_state")
    .values({ name, horizon, applied_at: at })
    .onConflict((oc) =>
      oc.column("name").doUpdateSet({
        horizon: sql<string>`case when excluded.horizon > retention_state.horizon then excluded.horizon else retention_state.horizon end`,
        applied_at: at,
      }),
    )
    .execute();
}
