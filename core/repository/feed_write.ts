import { sql } from "kysely";
import { dialectOf, type Db } from "../db/handle.ts";

/** Most rows in one insert into run_feed (3 parameters a row). */
const CHUNK = 5_000;

/**
 * Appends entries to the run feed inside the caller's write transaction, so a run and its feed
 * entry commit together. On PostgreSQL each entry carries its transaction id, which lets
 * followers see entries that commit out of `seq` order (see run_feed.ts).
 */
export async function appendToFeed(trx: Db, entries: { kind: "run" | "purge"; run_id: string | null }[]): Promise<void> {
  const at = new Date().toISOString();
  const postgres = dialectOf(trx) === "postgres";
  const tx = postgres ? sql<string>`pg_current_xact_id()::text::bigint` : null;
  // Delivered at commit to every server LISTENing (core/db/postgres/open.ts), which then reads the feed.
  if (postgres && entries.length > 0) await sql`select pg_notify('vpo_feed', '')`.execute(trx);
  for (let i = 0; i < entries.length; i += CHUNK) {
    await trx
      .insertInto("run_feed")
      .values(entries.slice(i, i + CHUNK).map((e) => ({ ...e, at, tx: tx as never })))
      .execute();
  }
}
