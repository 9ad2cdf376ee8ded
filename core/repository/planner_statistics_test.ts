import { afterAll, beforeAll, expect, test } from "bun:test";
import { sql } from "kysely";
import { syntheticRun } from "../../bench/_synthetic_runs.ts";
import { type DatabaseHandle, openDatabase } from "../db/open.ts";
import { forEachDialect } from "../../tests/dialects.ts";
import { importRunLines, readLines } from "./import.ts";
import { ANALYZE_AFTER_RUNS } from "./planner_statistics.ts";

const ndjson = (from: number, count: number) => () =>
  readLines([new TextEncoder().encode(Array.from({ length: count }, (_, i) => JSON.stringify(syntheticRun(from + i, 1_000_000, { metrics: 2 }))).join("\n"))]);

forEachDialect("planner statistics after a bulk load", (dialect) => {
  let handle: DatabaseHandle;
  beforeAll(async () => (handle = await openDatabase(await dialect.newLocation())));
  afterAll(() => handle.close());

  const analyzed = async () => {
    if (dialect.name !== "postgres") return null;
    const { rows } = await sql<{ at: unknown }>`select last_analyze as at from pg_stat_user_tables where relname = 'processing_stats'`.execute(handle.db);
    return rows[0]?.at ?? null;
  };

  test("a small import leaves them to autovacuum; one of ANALYZE_AFTER_RUNS runs refreshes them (PostgreSQL)", async () => {
    expect((await importRunLines(handle.db, ndjson(0, 10))).imported).toBe(10);
    expect(await analyzed()).toBeNull();
    expect((await importRunLines(handle.db, ndjson(10, ANALYZE_AFTER_RUNS))).imported).toBe(ANALYZE_AFTER_RUNS);
    if (dialect.name === "postgres") expect(await analyzed()).not.toBeNull();
  });
});
