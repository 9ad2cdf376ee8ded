import type { CompiledQuery } from "kysely";
import type pg from "pg";
import { dialectOf, type Db } from "../handle.ts";
import type { Send } from "./pipeline.ts";

/**
 * A read planned generically: plan_cache_mode = force_generic_plan for it alone (the plan of a
 * prepared statement is made once per connection and kept), the session's own mode (RESET:
 * force_custom_plan, see open.ts) before and after.
 *
 * For the totals views' one statement (a UNION ALL of every part of a window, ~35 aggregates a
 * part): planning it for its values took 6 ms of the 8 at 100k runs, executing it under 2, and
 * its generic plan reads the same indexes; so for the reads of a tier by a range of its key. Not
 * for every read: a join of the runs to their phases or metrics over a window was 18–100× slower
 * with a generic plan, which guesses a window holds 0.5% of all runs; it is marked only with the
 * condition that says it is inside one hour (hourOf, _filters.ts).
 *
 * The read is marked by a leading comment (the same SQL on SQLite), and the connection sends the
 * SET, the read and the RESET in one round trip (pipeline.ts), not three. Inside a transaction
 * the read runs as it is.
 */
export const GENERIC_PLAN = "/* vpo: generic plan */ ";

/** `query` marked to be planned generically on PostgreSQL outside a transaction; as it is otherwise. */
export function genericPlan<R>(db: Db, query: CompiledQuery<R>): CompiledQuery<R> {
  if (dialectOf(db) !== "postgres" || db.isTransaction) return query;
  return { ...query, sql: GENERIC_PLAN + query.sql };
}

/**
 * Sends `read` (a marked read) between the SET and the RESET of plan_cache_mode, the three at once
 * (pipeline.ts), and gives the read's result. Only on an idle connection (in a transaction the read
 * is sent as it is). The RESET goes also after a failed read (each has its own Sync), so the
 * connection is always given back in the session's mode.
 */
export async function sendGenerically(client: pg.Client, send: Send, read: { name: string; text: string; values: unknown[] }): Promise<unknown> {
  if ((client as unknown as { getTransactionStatus?: () => string | null }).getTransactionStatus?.() !== "I") return send(read);
  const [, result] = await Promise.allSettled([send("set plan_cache_mode = force_generic_plan"), send(read), send("reset plan_cache_mode")]);
  // A SET or RESET that failed means a broken connection, which the pool drops: the read's own outcome is the one to report.
  if (result!.status === "rejected") throw result!.reason;
  return result!.value;
}
