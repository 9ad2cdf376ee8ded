import { afterEach, describe, expect, test } from "bun:test";
import pg from "pg";
import { pgCluster, pgUnavailable } from "../../../tests/pg_cluster.ts";
import { sql } from "kysely";
import { openDatabase } from "../open.ts";
import { prepareReads } from "./prepared.ts";

/** Named prepared statements on a real server: reuse, the bound on names, recovery from a changed result shape. */
describe.skipIf(pgUnavailable() !== null)("prepared reads [postgres]", () => {
  const clients: pg.Client[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.end()));
  });
  async function client(max?: number): Promise<{ c: pg.Client; other: pg.Client }> {
    const url = await pgCluster().createDatabase();
    const c = new pg.Client({ connectionString: url });
    const other = new pg.Client({ connectionString: url });
    clients.push(c, other);
    await Promise.all([c.connect(), other.connect()]);
    prepareReads(c, max);
    return { c, other };
  }
  const prepared = async (c: pg.Client) =>
    (await c.query("select statement from pg_prepared_statements order by prepare_time, name", [])).rows.map((r) => r.statement as string);

  test("a read is prepared once under a name and answers with its own values each time", async () => {
    const { c } = await client();
    const text = "select $1::int + 1 as n";
    expect((await c.query(text, [1])).rows).toEqual([{ n: 2 }]);
    expect((await c.query(text, [41])).rows).toEqual([{ n: 42 }]);
    expect((await prepared(c)).filter((s) => s === text)).toHaveLength(1);
  });

  test("writes, DDL and reads without values are not prepared", async () => {
    const { c } = await client();
    await c.query("create table t (a int)");
    await c.query("insert into t values ($1)", [1]);
    await c.query("select count(*) from t");
    expect(await prepared(c)).toEqual(["select statement from pg_prepared_statements order by prepare_time, name"]);
  });

  test("past the bound the least recently used statement is deallocated", async () => {
    const { c } = await client(3);
    for (const i of [1, 2, 3]) await c.query(`select ${i} as n where $1::int = 1`, [1]);
    await c.query("select 1 as n where $1::int = 1", [1]); // 1 is now the most recent
    await c.query("select 4 as n where $1::int = 1", [1]); // 2 goes
    const left = await prepared(c); // this read evicts 3
    expect(left.length).toBeLessThanOrEqual(3);
    expect(left).not.toContain("select 2 as n where $1::int = 1");
    expect(left).not.toContain("select 3 as n where $1::int = 1");
    expect(left).toContain("select 1 as n where $1::int = 1");
    // An evicted text is prepared again, under a new name, and still answers.
    expect((await c.query("select 2 as n where $1::int = 1", [1])).rows).toEqual([{ n: 2 }]);
  });

  test("a table changed by another connection (a migration) is read in its new shape", async () => {
    const { c, other } = await client();
    await other.query("create table t (a int)");
    await other.query("insert into t values (1)");
    const text = "select * from t where a = $1";
    expect((await c.query(text, [1])).rows).toEqual([{ a: 1 }]);
    await other.query("alter table t add column b int default 7");
    expect((await c.query(text, [1])).rows).toEqual([{ a: 1, b: 7 }]);
    expect((await c.query(text, [1])).rows).toEqual([{ a: 1, b: 7 }]);
  });

  test("a statement the server lost (DEALLOCATE ALL) is prepared again", async () => {
    const { c } = await client();
    const text = "select $1::int as n";
    await c.query(text, [1]);
    await c.query("deallocate all");
    expect((await c.query(text, [2])).rows).toEqual([{ n: 2 }]);
  });

  test("vpo's sessions plan each read for its values, and a URL's own options are kept", async () => {
    const url = await pgCluster().createDatabase();
    const setting = async (location: string) => {
      const handle = await openDatabase(location);
      try {
        const { rows } = await sql<{ plan_cache_mode: string; search_path: string }>`select current_setting('plan_cache_mode') as plan_cache_mode, current_setting('search_path') as search_path`.execute(handle.db);
        return rows[0]!;
      } finally {
        await handle.close();
      }
    };
    expect((await setting(url)).plan_cache_mode).toBe("force_custom_plan");
    const mine = await setting(`${url}?options=${encodeURIComponent("-c search_path=public")}`);
    expect(mine.search_path).toBe("public");
  });
});
