import { sql } from "kysely";
import { bulkInsert } from "../db/bulk_insert.ts";
import { dialectOf, type Db } from "../db/handle.ts";

/** Most rows in one insert into run_feed (3 parameters a row). */
const CHUNK = 5_000;

/**
 * Appends entries to the run feed inside the caller's write transaction, so a run and its feed
 * entry commit together. On PostgreSQL each entry carries its transaction id, which lets
 * followers see entries that commit out of `seq` order (see run_feed.ts).
 */
export async function appendToFeed(trx: Db, entries: { kind: "run" | "purge"; run_id: string | null }[]): Promise<void> {
  if (entries.length === 0) return;
  const at = new Date().toISOString();
  const postgres = dialectOf(trx) === "postgres";
  let tx: string | null = null;
  if (postgres) {
    tx = (await sql<{ tx: string }>`select pg_current_xact_id()::text as tx`.execute(trx)).rows[0]!.tx;
    // Delivered at commit to every server LISTENing (core/db/postgres/open.ts), which then reads the feed.
    await sql`select pg_notify('vpo_feed', '')`.execute(trx);
  }
  await bulkInsert(trx, "run_feed", ["kind", "run_id", "at", "tx"], entries.map((e) => [e.kind, e.run_id, at, tx]), { rowsPerStatement: CHUNK });
}
