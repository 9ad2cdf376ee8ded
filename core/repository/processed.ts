import type { Db } from "../db/handle.ts";

/**
 * The latest successful run that left a file with content `hash` under the policy whose content
 * is `policyDigest`: such a file needs nothing more, and processing it again would only count it
 * twice (served by the (policy_digest, hash_after) index).
 */
export async function findProcessedRun(db: Db, key: { policyDigest: string; hash: string }): Promise<{ id: string; processed_at: string } | null> {
  const row = await db
    .selectFrom("processing_stats")
    .select(["id", "processed_at"])
    .where("policy_digest", "=", key.policyDigest)
    .where("hash_after", "=", key.hash)
    .where("success", "=", 1)
    .orderBy("processed_at", "desc")
    .limit(1)
    .executeTakeFirst();
  return row ?? null;
}
