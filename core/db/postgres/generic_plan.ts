import { sql } from "kysely";
import { dialectOf, type Db } from "../handle.ts";

/**
 * Runs `read` on one pooled connection with PostgreSQL planning its statements generically
 * (plan_cache_mode = force_generic_plan: the plan of a prepared statement is made once and kept),
 * then gives the connection back in the session's own mode (RESET: force_custom_plan, see open.ts).
 *
 * For the totals views' one statement (a UNION ALL of every part of a window, ~35 aggregates a
 * part): planning it for its values took 6 ms of the 8 at 100k runs, executing it under 2, and
 * its generic plan reads the same indexes. Not for every read: the metrics and phase views were
 * 18–100× slower with generic plans. Inside a transaction (one connection already) and on SQLite,
 * `read` runs as it is.
 */
export async function withGenericPlan<T>(db: Db, read: (db: Db) => Promise<T>): Promise<T> {
  if (dialectOf(db) !== "postgres" || db.isTransaction) return read(db);
  return db.connection().execute(async (connection) => {
    await sql`set plan_cache_mode = force_generic_plan`.execute(connection);
    try {
      return await read(connection);
    } finally {
      // Also after a failed read (a cancelled one leaves the connection usable). A reset that fails
      // means a broken connection, which the pool drops: the read's own error is the one to report.
      await sql`reset plan_cache_mode`.execute(connection).catch(() => {});
    }
  });
}
