import { type Expression, type SqlBool, sql } from "kysely";
import type { Db } from "../db/handle.ts";
import { RUN_KEY } from "./_filters.ts";
import type { RollupShape } from "./_rollup_tiers.ts";

/**
 * failure_rollup: the runs that did not succeed per (key, status, reason) — how many and the
 * latest — in the three tiers of the other rollups, folded with every batch and rebuilt with them,
 * so the failures view counts a reason's runs at ten million runs as at ten thousand. The reason is
 * the one stored on the run (failure_reason, failureReason of its message).
 */

const KEYS = Object.keys(RUN_KEY) as (keyof typeof RUN_KEY)[];
/** A literal, not a parameter: the partial indexes' condition must be visible to the planner. */
export const FAILED = sql<SqlBool>`processing_stats.success = 0`;

export const FAILURE_ROLLUP: RollupShape = {
  table: "failure_rollup",
  keys: ["status", "reason"],
  merge: { runs: "sum", last_at: "max" },
  contributions: (db, where, tier) =>
    db
      .selectFrom("processing_stats")
      .where(where)
      .where(FAILED)
      .select([
        ...KEYS.map((k) => tier.key[k].as(k)), "processing_stats.status", sql<string>`processing_stats.failure_reason`.as("reason"),
        sql<number>`count(*)`.as("runs"), sql<string>`max(processing_stats.processed_at)`.as("last_at"),
      ])
      .groupBy([...KEYS.map((k) => tier.key[k]), "processing_stats.status", "processing_stats.failure_reason"]),
};

/**
 * Adds to failure_repeats each (status, reason, file) of the failed runs matching `where` that
 * has another failed run (through stats_failure_file): the files a reason struck more than once,
 * which the failures view counts beside the reason's latest files.
 */
export async function noteRepeatedFailures(db: Db, where: Expression<SqlBool>): Promise<void> {
  await db
    .insertInto("failure_repeats")
    .columns(["status", "reason", "file_path"])
    .expression(
      db
        .selectFrom("processing_stats")
        .where(where)
        .where(FAILED)
        .where(({ exists, selectFrom }) =>
          exists(
            selectFrom("processing_stats as earlier")
              .select(sql`1`.as("one"))
              .where(sql<SqlBool>`earlier.success = 0`)
              .whereRef("earlier.status", "=", "processing_stats.status")
              .whereRef("earlier.failure_reason", "=", "processing_stats.failure_reason")
              .whereRef("earlier.file_path", "=", "processing_stats.file_path")
              .whereRef("earlier.id", "<>", "processing_stats.id"),
          ),
        )
        .select(["processing_stats.status", sql<string>`processing_stats.failure_reason`.as("reason"), "processing_stats.file_path"])
        .distinct(),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}
