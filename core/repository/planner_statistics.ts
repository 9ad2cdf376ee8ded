import { sql } from "kysely";
import { dialectOf, type Db } from "../db/handle.ts";

/**
 * Runs stored by one bulk load (an import, a copy) from which PostgreSQL's planner statistics are
 * refreshed at once. Autovacuum gets there up to a minute later, and only once a tenth of a table
 * has changed; until then the planner takes a freshly loaded table for a nearly empty one. Measured
 * at 10k runs: a metrics view's edge-day read took 78 ms (a hash join over every plugin metric)
 * before ANALYZE and 0.25 ms after (the index).
 */
export const ANALYZE_AFTER_RUNS = 1_000;

/**
 * ANALYZE on PostgreSQL (a sample of each table: about a second at a million runs). Nothing on
 * SQLite, whose planner chooses vpo's indexes without statistics.
 */
export async function refreshPlannerStatistics(db: Db): Promise<void> {
  if (dialectOf(db) === "postgres") await sql`analyze`.execute(db);
}
