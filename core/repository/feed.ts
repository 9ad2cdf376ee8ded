import { sql } from "kysely";
import { dialectOf, type Db } from "../db/handle.ts";
import type { RunRecordedEvent } from "../events.ts";

/** One entry of the run feed. */
export interface FeedEntry {
  seq: number;
  kind: "run" | "purge";
  run_id: string | null;
  at: string;
}

/**
 * Where a follower of the run feed stands. On SQLite one writer at a time makes `seq` commit-
 * ordered, so "seq > lastSeq" misses nothing. On PostgreSQL a transaction that took a lower seq
 * can commit after one with a higher seq; following "seq > last" would lose it. There the cursor
 * is a transaction horizon: every entry whose transaction id is at least `horizon` is read again
 * (those transactions may not have been visible yet), and the seqs already delivered among them
 * are remembered so nothing is delivered twice.
 */
export type FeedCursor = { lastSeq: number } | { horizon: string; delivered: Set<number> };

const ENTRY_COLUMNS = ["seq", "kind", "run_id", "at"] as const;
const toEntry = (r: { seq: unknown; kind: string; run_id: string | null; at: string }): FeedEntry => ({
  seq: Number(r.seq),
  kind: r.kind as FeedEntry["kind"],
  run_id: r.run_id,
  at: r.at,
});

/** A cursor at the end of the feed as it is now: following it yields only what comes after. */
export async function feedHead(db: Db): Promise<FeedCursor> {
  if (dialectOf(db) === "sqlite") {
    const row = await db.selectFrom("run_feed").select((eb) => eb.fn.max("seq").as("m")).executeTakeFirst();
    return { lastSeq: Number(row?.m ?? 0) };
  }
  const { entries, cursor } = await readFeed(db, { horizon: "0", delivered: new Set() }, { onlyPosition: true });
  void entries;
  return cursor;
}

/**
 * Entries after `cursor`, in seq order, and the cursor to use next time. At most `limit` entries
 * are returned on SQLite (call again while it returns that many).
 */
export async function readFeed(
  db: Db,
  cursor: FeedCursor,
  options: { limit?: number; onlyPosition?: boolean } = {},
): Promise<{ entries: FeedEntry[]; cursor: FeedCursor }> {
  if ("lastSeq" in cursor) {
    const rows = await db
      .selectFrom("run_feed")
      .select(ENTRY_COLUMNS)
      .where("seq", ">", cursor.lastSeq)
      .orderBy("seq")
      .limit(options.limit ?? 10_000)
      .execute();
    const entries = rows.map(toEntry);
    return { entries, cursor: { lastSeq: entries.at(-1)?.seq ?? cursor.lastSeq } };
  }
  // One statement, so the horizon and the rows come from the same snapshot.
  const { rows } = await sql<{ xmin: string; seq: string | null; kind: string; run_id: string | null; at: string; tx: string | null }>`
    with snap as (select pg_snapshot_xmin(pg_current_snapshot())::text::bigint as xmin)
    select snap.xmin::text as xmin, f.seq, f.kind, f.run_id, f.at, f.tx::text as tx
    from snap left join run_feed f on ${options.onlyPosition ? sql`f.tx >= snap.xmin` : sql`f.tx >= ${cursor.horizon}::bigint`}
    order by f.seq`.execute(db);
  const horizon = rows[0]?.xmin ?? cursor.horizon;
  const delivered = new Set<number>();
  const entries: FeedEntry[] = [];
  for (const row of rows) {
    if (row.seq === null) continue;
    const seq = Number(row.seq);
    // Still possibly behind an open transaction: keep it in the window, remember it was seen.
    if (BigInt(row.tx!) >= BigInt(horizon)) delivered.add(seq);
    if (options.onlyPosition || cursor.delivered.has(seq)) continue;
    entries.push(toEntry({ ...row, seq }));
  }
  return { entries, cursor: { horizon, delivered } };
}

/** The broadcast form of stored runs, in the order of `ids` (ids no longer stored are left out). */
export async function runEvents(db: Db, ids: readonly string[]): Promise<RunRecordedEvent[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom("processing_stats")
    .select(["id", "file_path", "policy_name", "processed_at", "status", "success", "size_before", "size_after", "size_change", "duration_seconds", "node", "library", "error_message"])
    .where("id", "in", ids)
    .execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const r = byId.get(id);
    if (!r) return [];
    return [{ ...r, success: Number(r.success) === 1, size_before: num(r.size_before), size_after: num(r.size_after), size_change: num(r.size_change) }];
  });
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** Deletes feed entries older than `before` (followers only ever need the recent ones). */
export async function pruneFeed(db: Db, before: string): Promise<number> {
  const result = await db.deleteFrom("run_feed").where("at", "<", before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
