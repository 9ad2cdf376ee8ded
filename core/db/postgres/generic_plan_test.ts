import { describe, expect, test } from "bun:test";
import { sql } from "kysely";
import { pgCluster, pgUnavailable } from "../../../tests/pg_cluster.ts";
import type { Db } from "../handle.ts";
import { openDatabase } from "../open.ts";
import { genericPlan } from "./generic_plan.ts";

const skip = pgUnavailable();
const mode = async (db: Db) => (await sql<{ m: string }>`select current_setting('plan_cache_mode') as m`.execute(db)).rows[0]!.m;

/** The mode of every connection the pool holds (10): each is taken at once, so none is seen twice. */
async function everyConnectionsMode(db: Db): Promise<string[]> {
  let release!: () => void;
  const allTaken = new Promise<void>((resolve) => (release = resolve));
  let taken = 0;
  return Promise.all(
    Array.from({ length: 10 }, () =>
      db.connection().execute(async (connection) => {
        if (++taken === 10) release();
        await allTaken;
        return mode(connection);
      }),
    ),
  );
}

/** The mode a read marked by genericPlan runs in. */
const markedMode = async (db: Db) => (await db.executeQuery(genericPlan(db, sql<{ m: string }>`select current_setting('plan_cache_mode') as m`.compile(db)))).rows[0]!.m;

/** A generic plan for one read, and the pooled connection given back planning each read for its values again. */
describe.skipIf(skip !== null && process.env.CI !== "true")(`genericPlan [postgres]${skip ? ` (skipped: ${skip})` : ""}`, () => {
  test("the read is planned generically; afterwards every pooled connection is back in the session's mode, also after a failed read", async () => {
    const handle = await openDatabase(await pgCluster().createDatabase());
    try {
      expect(await markedMode(handle.db)).toBe("force_generic_plan");
      expect(new Set(await everyConnectionsMode(handle.db))).toEqual(new Set(["force_custom_plan"]));
      const failed = handle.db.executeQuery(genericPlan(handle.db, sql`select 1 / 0`.compile(handle.db)));
      expect(failed).rejects.toThrow("division by zero");
      await failed.catch(() => {});
      expect(new Set(await everyConnectionsMode(handle.db))).toEqual(new Set(["force_custom_plan"]));
      // The connection that failed is usable: marked and plain reads in turn, on one connection.
      await handle.db.connection().execute(async (connection) => {
        for (let i = 0; i < 3; i++) {
          expect(await markedMode(connection)).toBe("force_generic_plan");
          expect(await mode(connection)).toBe("force_custom_plan");
        }
      });
      // Inside a transaction the read runs as it is, on the transaction's connection.
      expect(await handle.db.transaction().execute((trx) => markedMode(trx))).toBe("force_custom_plan");
    } finally {
      await handle.close();
    }
  });
});
