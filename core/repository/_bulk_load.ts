import { sql } from "kysely";
import { dialectOf, type Db } from "../db/handle.ts";

/**
 * Page cache of this connection while an import loads runs, in KiB (SQLite's default is 2 MiB).
 * At hundreds of thousands of runs the indexes of processing_stats and files take inserts all
 * over their b-trees; with 2 MiB of cache most of them read their page back from the OS first.
 * A fixed size: memory stays flat however large the file.
 */
const BULK_LOAD_CACHE_KIB = 65_536;

/**
 * Runs `load` with SQLite's page cache enlarged, and restores the size after. Only this
 * connection's cache changes: durability (synchronous=FULL, a commit per batch) does not.
 */
export async function withBulkLoadCache<T>(db: Db, load: () => Promise<T>): Promise<T> {
  if (dialectOf(db) !== "sqlite") return load();
  const before = Number((await sql<{ cache_size: number }>`pragma cache_size`.execute(db)).rows[0]?.cache_size ?? -2000);
  await sql.raw(`pragma cache_size = -${BULK_LOAD_CACHE_KIB}`).execute(db);
  try {
    return await load();
  } finally {
    await sql.raw(`pragma cache_size = ${Math.trunc(before)}`).execute(db);
  }
}
