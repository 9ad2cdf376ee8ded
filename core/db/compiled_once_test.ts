import { expect, test } from "bun:test";
import { sql } from "kysely";
import { databaseOf, forEachDialect } from "../../tests/dialects.ts";
import { compiledOnce } from "./compiled_once.ts";

forEachDialect("compiledOnce", (dialect) => {
  const database = databaseOf(dialect);

  const query = (a: number, b: string) => database().selectFrom("nodes").select(sql<number>`${a}`.as("a")).where("name", "=", b);

  test("a shape's statement answers with each call's own values", async () => {
    const db = database();
    for (const [a, b] of [[1, "x"], [2, "y"], [3, "z"]] as const) {
      const compiled = compiledOnce(db, "test: a node by name", [a, b], () => query(a, b).compile());
      expect(compiled.parameters).toEqual([a, b]);
      expect((await db.executeQuery(compiled)).rows).toEqual([]);
    }
  });

  test("under test, values that are not the statement's parameters, or a shape that compiles to another text, fail", () => {
    const db = database();
    expect(() => compiledOnce(db, "test: declared wrong", [2, "x"], () => query(1, "x").compile())).toThrow("are not the statement's parameters");
    compiledOnce(db, "test: one shape", [1, "x"], () => query(1, "x").compile());
    expect(() => compiledOnce(db, "test: one shape", [1], () => db.selectFrom("nodes").select(sql<number>`${1}`.as("b")).compile())).toThrow("compiled to another text");
  });
});
