import { sql } from "kysely";
import { failureReason } from "../../record/failure_reason.ts";
import { type Migration, withRollupKey } from "./_types.ts";

/** Failed runs whose reason is filled in per statement of the backfill. */
const BACKFILL_BATCH = 5_000;

/**
 * The failures view without reading every failed run of its window: each run that did not succeed
 * keeps its reason (failureReason of its message, filled in here for the stored runs, in JS as
 * every write does); a failure rollup per (hour, day or month; policy, library, node; status,
 * reason) in the three tiers of the other rollups, and their unscoped twins, holds the counts and the latest instant; the
 * files that failed for a reason more than once are kept in failure_repeats; and two partial indexes
 * of the failed runs find a reason's latest files and count given files (core/repository/failures.ts).
 * The rollup is filled by the rebuild this migration asks for.
 */
export const failureRollup: Migration = {
  version: 13,
  name: "failure reason on runs, failure rollup, repeated failures",
  rebuildsRollup: true,
  async up(db, t) {
    await db.schema.alterTable("processing_stats").addColumn("failure_reason", t.text).execute();
    for (let after = ""; ; ) {
      const rows: { id: string; error_message: string | null }[] = await db
        .selectFrom("processing_stats")
        .select(["id", "error_message"])
        .where(sql.ref("success"), "=", 0)
        .where("id", ">", after)
        .orderBy("id")
        .limit(BACKFILL_BATCH)
        .execute();
      if (rows.length === 0) break;
      const byReason = new Map<string, string[]>();
      for (const row of rows) {
        const reason = failureReason(row.error_message);
        (byReason.get(reason) ?? byReason.set(reason, []).get(reason)!).push(row.id);
      }
      for (const [reason, ids] of byReason) {
        for (let i = 0; i < ids.length; i += 1_000) await db.updateTable("processing_stats").set({ failure_reason: reason }).where("id", "in", ids.slice(i, i + 1_000)).execute();
      }
      after = rows.at(-1)!.id;
    }
    for (const name of ["failure_rollup", "failure_rollup_hour", "failure_rollup_month"]) {
      await withRollupKey(db.schema.createTable(name), t)
        .addColumn("status", t.text, (c) => c.notNull())
        .addColumn("reason", t.text, (c) => c.notNull())
        .addColumn("runs", t.bytes, (c) => c.notNull().defaultTo(0))
        .addColumn("last_at", t.text, (c) => c.notNull())
        .addPrimaryKeyConstraint(`${name}_pk`, ["day", "policy_name", "library", "node", "status", "reason"])
        .execute();
    }
    // The unscoped twins of the day and month tiers (migration 012), filled by the same rebuild.
    for (const name of ["failure_rollup_unscoped", "failure_rollup_unscoped_month"]) {
      await db.schema
        .createTable(name)
        .addColumn("day", t.text, (c) => c.notNull())
        .addColumn("status", t.text, (c) => c.notNull())
        .addColumn("reason", t.text, (c) => c.notNull())
        .addColumn("runs", t.bytes, (c) => c.notNull().defaultTo(0))
        .addColumn("last_at", t.text, (c) => c.notNull())
        .addPrimaryKeyConstraint(`${name}_pk`, ["day", "status", "reason"])
        .execute();
    }
    await db.schema
      .createTable("failure_repeats")
      .addColumn("status", t.text, (c) => c.notNull())
      .addColumn("reason", t.text, (c) => c.notNull())
      .addColumn("file_path", t.text, (c) => c.notNull())
      .addPrimaryKeyConstraint("failure_repeats_pk", ["status", "reason", "file_path"])
      .execute();
    // A reason's failed runs newest first with their files (its latest files; covering, else PostgreSQL, misjudging
    // how few runs a reason has, prefers the covering index below and sorts them all), and a file's failed runs of a
    // reason (counting them, finding repeats).
    await db.schema.createIndex("stats_failure_time").on("processing_stats").columns(["status", "failure_reason", "processed_at", "file_path"]).where(sql.ref("success"), "=", 0).execute();
    await db.schema.createIndex("stats_failure_file").on("processing_stats").columns(["status", "failure_reason", "file_path", "processed_at"]).where(sql.ref("success"), "=", 0).execute();
    await sql`insert into failure_repeats (status, reason, file_path)
      select status, failure_reason, file_path from processing_stats where success = 0 group by status, failure_reason, file_path having count(*) > 1`.execute(db);
  },
};
