import type { Compilable, CompiledQuery, QueryResult } from "kysely";
import { dialectOf, type Db } from "./handle.ts";

/** A read: a query builder, or a compiled query (one marked by genericPlan, say). */
export type Read = Compilable | CompiledQuery;

/**
 * Runs independent reads and gives their rows, in order. On PostgreSQL they go on ONE pooled
 * connection, sent at once (postgres/pipeline.ts): one round trip, where reads run at once on the
 * pool each took a connection (and planned its statement on each connection that had not yet)
 * and a round trip of its own. Elsewhere (SQLite, a transaction) they run in turn.
 *
 * @example const [a, b] = await readTogether(db, [db.selectFrom("nodes").selectAll(), other])
 */
export async function readTogether(db: Db, reads: readonly Read[]): Promise<Record<string, unknown>[][]> {
  const compiled = reads.map((read) => ("compile" in read ? read.compile() : read));
  const results: QueryResult<Record<string, unknown>>[] = [];
  if (dialectOf(db) !== "postgres" || db.isTransaction || compiled.length < 2) {
    for (const query of compiled) results.push(await db.executeQuery<Record<string, unknown>>(query));
  } else {
    const executor = db.getExecutor();
    // The connection's executor, with the plugins of `db` (a caller's result transforms apply).
    results.push(
      ...(await executor.provideConnection((connection) => {
        const onIt = executor.withConnectionProvider({ provideConnection: (consume) => consume(connection) });
        return sendAll(compiled, (query) => onIt.executeQuery<Record<string, unknown>>(query));
      })),
    );
  }
  return results.map((result) => result.rows);
}

/**
 * Sends every query at once; their results in order, once every query is answered (the connection
 * then goes back to the pool with nothing in flight, also after a failed read).
 */
async function sendAll<R>(queries: CompiledQuery[], send: (query: CompiledQuery) => Promise<R>): Promise<R[]> {
  const reads = queries.map(send);
  await Promise.allSettled(reads);
  return Promise.all(reads);
}
