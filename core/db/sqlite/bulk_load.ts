import { sql } from "kysely";
import { dialectOf, type Db } from "../handle.ts";

/**
 * This connection's SQLite settings while an import loads runs (connection settings, like those
 * open.ts makes, hence here with the dialect), each restored after:
 * - cache_size (KiB when negative; SQLite's default is 2 MiB): at hundreds of thousands of runs
 *   the indexes of processing_stats and files take inserts all over their b-trees, and with 2 MiB
 *   most of them first read their page back from the OS. A fixed size, so memory stays flat.
 * - wal_autocheckpoint (pages; default 1,000): every batch writes more than that, so each commit
 *   copied the WAL into the database; checkpointing every 32,768 pages copies a page changed by
 *   several batches (index and rollup pages) once. The WAL grows to about 128 MiB on disk.
 * Durability does not change: synchronous=FULL, one commit per batch.
 */
const BULK_LOAD = { cache_size: -65_536, wal_autocheckpoint: 32_768 } as const;

/** Runs `load` with BULK_LOAD's settings on SQLite (PostgreSQL: as is). */
export async function withBulkLoadSettings<T>(db: Db, load: () => Promise<T>): Promise<T> {
  if (dialectOf(db) !== "sqlite") return load();
  const before: Record<string, number> = {};
  for (const [name, value] of Object.entries(BULK_LOAD)) {
    const row = (await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(db)).rows[0];
    before[name] = Math.trunc(Number(Object.values(row ?? {})[0]));
    await sql.raw(`pragma ${name} = ${value}`).execute(db);
  }
  try {
    return await load();
  } finally {
    for (const [name, value] of Object.entries(before)) if (Number.isFinite(value)) await sql.raw(`pragma ${name} = ${value}`).execute(db);
  }
}
