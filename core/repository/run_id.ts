import type { Db } from "../db/handle.ts";
import { VpoError } from "../errors.ts";
import type { RunCandidate } from "./views.ts";
import { shortestUniquePrefixes } from "./_short_ids.ts";

/** Shortest prefix accepted: shorter ones match too many runs to be a useful handle. */
export const MIN_PREFIX_LENGTH = 4;
const MAX_CANDIDATES = 10;

/**
 * Runs whose id starts with `prefix`, as a half-open range on the primary key so the index is
 * searched rather than the table scanned (a LIKE would need escaping and, on SQLite, a
 * case-sensitive pragma to use the index). U+FFFF sorts after every character a UUID can hold.
 */
export function runIdPrefixQuery(db: Db, prefix: string) {
  return db
    .selectFrom("processing_stats")
    .select(["id", "processed_at", "file_path"])
    .where("id", ">=", prefix)
    .where("id", "<", `${prefix}\uffff`)
    .orderBy("id")
    .limit(MAX_CANDIDATES + 1);
}

/**
 * Resolves a full run id or a unique prefix of at least 4 characters to the full id.
 * Throws INVALID_ARGUMENT (too short), NOT_FOUND (no run) or AMBIGUOUS_ID, whose `details`
 * lists up to 10 candidates ({ id, processed_at, file_path }).
 *
 * @example await resolveRunId(db, "0194f3a2") // "0194f3a2-7c1e-7d40-9b1a-…"
 */
export async function resolveRunId(db: Db, idOrPrefix: string): Promise<string> {
  const prefix = idOrPrefix.trim();
  if (prefix.length < MIN_PREFIX_LENGTH) {
    throw new VpoError(
      "INVALID_ARGUMENT",
      `Run id "${idOrPrefix}" is too short: give the full id or at least ${MIN_PREFIX_LENGTH} characters of it`,
    );
  }
  // Ids are lowercase UUIDs: anything else names no run (and never reaches the database as odd text).
  if (!/^[0-9a-f-]+$/i.test(prefix)) throw new VpoError("NOT_FOUND", `No run with id "${prefix.replace(/[\0-\x1f]/g, "?")}"`);
  const exact = await db.selectFrom("processing_stats").select("id").where("id", "=", prefix.toLowerCase()).executeTakeFirst();
  if (exact) return exact.id;
  const matches: RunCandidate[] = await runIdPrefixQuery(db, prefix.toLowerCase()).execute();
  if (matches.length === 0) throw new VpoError("NOT_FOUND", `No run with id "${prefix}"`);
  if (matches.length === 1) return matches[0]!.id;
  const candidates = matches.slice(0, MAX_CANDIDATES);
  const more = matches.length > MAX_CANDIDATES ? "\n  … and more; give a longer prefix" : "";
  throw new VpoError(
    "AMBIGUOUS_ID",
    `Run id "${prefix}" is ambiguous; it matches:\n${candidates.map((c) => `  ${c.id}  ${c.processed_at}  ${c.file_path}`).join("\n")}${more}`,
    { details: candidates },
  );
}

/**
 * The shortest prefix of each run id that no other run shares (at least 8 characters): what
 * listings show, so that `resolveRunId` (and `vpo stats detail`) find exactly that run.
 *
 * @example await shortRunIds(db, ["01a23625-9869-7d40-…"]) // Map { "01a23625-9869-7d40-…" => "01a23625-9869-7d" }
 */
export function shortRunIds(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  return shortestUniquePrefixes(db, "processing_stats", ids);
}
