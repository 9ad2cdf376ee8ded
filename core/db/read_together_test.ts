import { expect, test } from "bun:test";
import { sql } from "kysely";
import { databaseOf, forEachDialect } from "../../tests/dialects.ts";
import type { Db } from "./handle.ts";
import { genericPlan } from "./postgres/generic_plan.ts";
import { readTogether } from "./read_together.ts";

const connectionOf = (db: Db, dialect: string) => (dialect === "postgres" ? sql<{ id: number }>`select pg_backend_pid() as id` : sql<{ id: number }>`select 1 as id`).compile(db);

forEachDialect("readTogether", (dialect) => {
  const database = databaseOf(dialect);

  test("gives each read's rows in order, all read on one connection", async () => {
    const db = database();
    const reads = Array.from({ length: 6 }, (_, i) => (i % 2 ? connectionOf(db, dialect.name) : sql`select ${i} as i`.compile(db)));
    const rows = await readTogether(db, reads);
    expect(rows.filter((_, i) => i % 2 === 0).map((r) => Number(r[0]!.i))).toEqual([0, 2, 4]);
    expect(new Set(rows.filter((_, i) => i % 2 === 1).map((r) => r[0]!.id)).size).toBe(1);
  });

  test("a failed read fails the call; the connection then reads on, together and alone", async () => {
    const db = database();
    await expect(readTogether(db, [sql`select 1 as a`.compile(db), sql`select * from no_such_table`.compile(db), sql`select 3 as c`.compile(db)])).rejects.toThrow();
    for (let i = 0; i < 3; i++) {
      expect(await readTogether(db, [sql`select 1 as a`.compile(db), sql`select 2 as b`.compile(db)])).toEqual([[{ a: 1 }], [{ b: 2 }]]);
      expect((await sql<{ a: number }>`select 4 as a`.execute(db)).rows).toEqual([{ a: 4 }]);
    }
  });

  test("reads marked for a generic plan are planned so, together; the others and the connection afterwards in the session's mode", async () => {
    const db = database();
    if (dialect.name !== "postgres") return;
    const mode = () => sql<{ m: string }>`select current_setting('plan_cache_mode') as m, ${Math.random()} as r`.compile(db);
    for (let i = 0; i < 3; i++) {
      const rows = await readTogether(db, [mode(), genericPlan(db, mode()), connectionOf(db, dialect.name), genericPlan(db, mode()), genericPlan(db, mode())]);
      expect([0, 1, 3, 4].map((k) => rows[k]![0]!.m)).toEqual(["force_custom_plan", "force_generic_plan", "force_generic_plan", "force_generic_plan"]);
      expect(await readTogether(db, [mode(), mode()])).toEqual([[expect.objectContaining({ m: "force_custom_plan" })], [expect.objectContaining({ m: "force_custom_plan" })]]);
    }
  });

  test("inside a transaction the reads run in turn on its connection", async () => {
    const db = database();
    const rows = await db.transaction().execute((trx) => readTogether(trx, [sql`select 1 as a`.compile(trx), connectionOf(trx, dialect.name)]));
    expect(rows[0]).toEqual([{ a: 1 }]);
  });
});
