import { sql } from "kysely";
import { dialectOf, type Db } from "./handle.ts";
import { RUN_WRITE_LOCK } from "./postgres/locks.ts";

/**
 * Takes the write lock for the rest of the transaction `trx`, before it reads what it will
 * write by. SQLite's transactions already hold it (they begin IMMEDIATE); on PostgreSQL an
 * advisory lock does the same for every vpo on every machine: concurrent importers of one file
 * then see each other's runs as duplicates instead of colliding on them, and a purge never
 * rebuilds the rollups under a fold in progress.
 */
export async function takeWriteLock(trx: Db): Promise<void> {
  if (dialectOf(trx) === "postgres") await sql`select ${RUN_WRITE_LOCK}`.execute(trx);
}
