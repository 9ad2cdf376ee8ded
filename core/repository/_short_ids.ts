/**
 * Short handles for ids shown to people: the shortest prefix of each id that no other row of its
 * table shares (at least 8 characters), so that what a listing shows resolves to exactly that row
 * when typed back. UUIDv7 ids made in the same millisecond share their first 12 hex digits, so
 * a fixed width would be ambiguous exactly when several workers start runs at once.
 *
 * In sorted order the ids that share most of X's prefix are its two neighbours, so each id is
 * compared with the next smaller and the next larger id: two seeks in the primary key per id,
 * whatever the size of the table.
 */
import type { Db } from "../db/handle.ts";

export const SHORT_ID_LENGTH = 8;

/** Longest common prefix length of two strings. */
function commonPrefix(a: string | null, b: string): number {
  if (!a) return 0;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** Each of `ids` → its shortest unique prefix within `table` (an id not stored maps to itself). */
export async function shortestUniquePrefixes(db: Db, table: "jobs" | "processing_stats", ids: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db
      .selectFrom(`${table} as t` as "jobs as t")
      .select((eb) => [
        "t.id",
        eb.selectFrom(table as "jobs").select((n) => n.fn.max("id").as("id")).where("id", "<", eb.ref("t.id")).as("prev"),
        eb.selectFrom(table as "jobs").select((n) => n.fn.min("id").as("id")).where("id", ">", eb.ref("t.id")).as("next"),
      ])
      .where("t.id", "in", unique.slice(i, i + 500))
      .execute();
    for (const { id, prev, next } of rows) {
      let length = Math.max(SHORT_ID_LENGTH, commonPrefix(prev ?? null, id) + 1, commonPrefix(next ?? null, id) + 1);
      if (id[length - 1] === "-" && length < id.length) length++; // "01a23625-9", not "01a23625-"
      out.set(id, id.slice(0, length));
    }
  }
  for (const id of unique) if (!out.has(id)) out.set(id, id);
  return out;
}
