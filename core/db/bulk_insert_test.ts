import { afterAll, beforeAll, expect, test } from "bun:test";
import { sql } from "kysely";
import { forEachDialect } from "../../tests/dialects.ts";
import { bulkInsertValues } from "./bulk_insert.ts";
import type { Db } from "./handle.ts";
import { openDatabase } from "./open.ts";

/** The same values must come back from either database, whatever the insert's text looks like. */
forEachDialect("bulkInsertValues", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const opened = await openDatabase(await dialect.newLocation());
    ({ db } = opened);
    close = () => opened.close();
    await sql`create table t (k text primary key, n bigint, x double precision, s text)`.execute(db);
  });
  afterAll(() => close());

  const read = async () => (await sql<{ k: string; n: number | null; x: number | null; s: string | null }>`select k, n, x, s from t order by k`.execute(db)).rows;

  test("rows of every kind of value, across statements (rest included), exactly as given", async () => {
    const values: unknown[] = [];
    const expected: { k: string; n: number | null; x: number | null; s: string | null }[] = [];
    const strange = ['quote " and \\ backslash', "new\nline", "ünïcödé 🎬", "{braces,commas}", "NULL", ""];
    for (let i = 0; i < 2_500; i++) {
      const row = { k: `k${String(i).padStart(5, "0")}`, n: i % 7 === 0 ? null : i * 1_000_000_007, x: i % 5 === 0 ? null : i / 3, s: i % 11 === 0 ? null : strange[i % strange.length]! };
      values.push(row.k, row.n, row.x, row.s);
      expected.push(row);
    }
    await bulkInsertValues(db, "t", ["k", "n", "x", "s"], values);
    expect(await read()).toEqual(expected);
  });

  test("bigint values are stored as their digits; a lone surrogate as U+FFFD; NaN is refused, nothing half-stored", async () => {
    await sql`delete from t`.execute(db);
    await bulkInsertValues(db, "t", ["k", "n", "x", "s"], ["a", 2n ** 53n + 1n, 1.5, "lone \ud800 surrogate"]);
    const [row] = (await sql<{ n: string; s: string }>`select cast(n as text) as n, s from t`.execute(db)).rows;
    expect(row).toEqual({ n: "9007199254740993", s: "lone \ufffd surrogate" });
    if (dialect.name === "postgres") {
      await expect(bulkInsertValues(db, "t", ["k", "n", "x", "s"], ["b", 1, Number.NaN, "x"])).rejects.toThrow("cannot store NaN in x");
      expect((await read()).map((r) => r.k)).toEqual(["a"]);
    }
  });

  test("conflicts are ignored or merged as asked", async () => {
    await sql`delete from t`.execute(db);
    await bulkInsertValues(db, "t", ["k", "n"], ["a", 1, "b", 2]);
    await bulkInsertValues(db, "t", ["k", "n"], ["a", 10, "c", 3], { ignoreConflictsOn: ["k"] });
    await bulkInsertValues(db, "t", ["k", "n"], ["b", 20], { mergeConflictsOn: { columns: ["k"], set: "n = t.n + excluded.n" } });
    expect((await read()).map((r) => [r.k, Number(r.n)])).toEqual([["a", 1], ["b", 22], ["c", 3]]);
  });
});
