import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kysely, SqliteDialect } from "kysely";
import pg from "pg";
import { forEachDialect } from "../../tests/dialects.ts";
import { initialSchema } from "./migrations/001_initial.ts";
import { migrationContext } from "./migrations/_types.ts";
import { LATEST_SCHEMA_VERSION, MIGRATION_VERSIONS } from "./migrations/mod.ts";
import { openDatabase } from "./open.ts";
import { VPO_TABLES } from "../repository/maintenance.ts";

const tempDb = () => join(mkdtempSync(join(tmpdir(), "vpo-db-")), "library.db");
const TABLES = [...VPO_TABLES].sort();

forEachDialect("openDatabase", (dialect) => {
  test("creates every table and records the schema version", async () => {
    const { db, close } = await openDatabase(await dialect.newLocation());
    const tables = (await db.introspection.getTables()).map((t) => t.name).sort();
    expect(tables).toEqual(TABLES);
    const row = await db.selectFrom("schema_migrations").select((eb) => eb.fn.max("version").as("v")).executeTakeFirstOrThrow();
    expect(Number(row.v)).toBe(LATEST_SCHEMA_VERSION);
    await close();
  });

  test("refuses a database written by a newer vpo, saying which versions", async () => {
    const location = await dialect.newLocation();
    const first = await openDatabase(location);
    await first.db.insertInto("schema_migrations").values({ version: LATEST_SCHEMA_VERSION + 5, name: "future", applied_at: "2030-01-01T00:00:00.000Z" }).execute();
    await first.close();
    await expect(openDatabase(location)).rejects.toThrow(`has schema version ${LATEST_SCHEMA_VERSION + 5}, but this vpo understands up to ${LATEST_SCHEMA_VERSION}`);
    await expect(openDatabase(location, { access: "read" })).rejects.toMatchObject({ code: "DB_TOO_NEW" });
  });

  test("several processes opening the same new database at once all succeed and migrate it once", async () => {
    const location = await dialect.newLocation();
    const script = `import { openDatabase } from ${JSON.stringify(join(import.meta.dir, "open.ts"))}; const o = await openDatabase(${JSON.stringify(location)}); await o.close();`;
    const procs = Array.from({ length: 6 }, () => Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe" }));
    const results = await Promise.all(procs.map(async (p) => ({ code: await p.exited, stderr: await new Response(p.stderr).text() })));
    expect(results).toEqual(Array.from({ length: 6 }, () => ({ code: 0, stderr: "" })));
    const { db, close } = await openDatabase(location, { access: "read" });
    expect((await db.selectFrom("schema_migrations").select("version").execute()).map((r) => Number(r.version)).sort((a, b) => a - b)).toEqual(
      [...MIGRATION_VERSIONS],
    );
    await close();
  });

  test("a read never migrates: a vpo database at an older version is refused with the command that upgrades it", async () => {
    const location = await dialect.newLocation();
    const first = await openDatabase(location);
    await first.db.deleteFrom("schema_migrations").where("version", "=", LATEST_SCHEMA_VERSION).execute();
    await first.close();
    await expect(openDatabase(location, { access: "read" })).rejects.toThrow("vpo db migrate");
    const again = await openDatabase(location, { access: "read" }).catch(() => null);
    expect(again).toBeNull();
  });

  test("a read refuses, unchanged, a database of another application", async () => {
    const location = await dialect.newLocation();
    if (dialect.name === "sqlite") {
      const other = new Database(location);
      other.exec("CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO contacts (name) VALUES ('Ada')");
      other.close();
    } else {
      const client = new pg.Client({ connectionString: location });
      await client.connect();
      await client.query("CREATE TABLE contacts (id serial primary key, name text)");
      await client.end();
    }
    const before = dialect.name === "sqlite" ? readFileSync(location) : null;
    for (const access of ["read", "write"] as const) {
      const error = await openDatabase(location, { access }).then(() => null, (e) => e);
      expect(error).toMatchObject({ code: "DB_NOT_VPO" });
      expect(error.message).toContain("is not a vpo database");
      expect(error.message).toContain("contacts");
    }
    if (dialect.name === "sqlite") {
      expect(readFileSync(location).equals(before!)).toBe(true);
      const check = new Database(location);
      expect(check.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "delete" });
      check.close();
    } else {
      const client = new pg.Client({ connectionString: location });
      await client.connect();
      const { rows } = await client.query("select tablename from pg_tables where schemaname = current_schema()");
      await client.end();
      expect(rows.map((r) => r.tablename)).toEqual(["contacts"]);
    }
  });

  test("a PostgreSQL role that does not exist is named in the error, not only \"authentication failed\"", async () => {
    if (dialect.name !== "postgres") return;
    const url = new URL(await dialect.newLocation());
    url.username = "nobody_here";
    const error = await openDatabase(url.toString()).then(() => null, (e) => e);
    expect(error).toMatchObject({ code: "DB_ERROR" });
    expect(error.message).toContain('authentication failed: role "nobody_here" does not exist');
  });
});

describe("openDatabase on SQLite", () => {
  test("turns on WAL and foreign keys", async () => {
    const path = tempDb();
    (await openDatabase(path)).close();
    const raw = new Database(path);
    expect(raw.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    raw.close();
  });

  test("upgrades a database left at version 1 to the latest schema on open for writing", async () => {
    const path = tempDb();
    // A database as the first vpo release left it: migration 1 only, with a run in it.
    const raw = new Database(path);
    const v1 = new Kysely<any>({ dialect: new SqliteDialect({ database: raw as never }) });
    await initialSchema.up(v1, migrationContext("sqlite"));
    await v1.schema.createTable("schema_migrations").addColumn("version", "integer", (c) => c.primaryKey()).addColumn("name", "text").addColumn("applied_at", "text").execute();
    await v1.insertInto("schema_migrations").values({ version: 1, name: "initial schema", applied_at: "2026-01-01T00:00:00.000Z" }).execute();
    raw.exec(`INSERT INTO processing_stats (id, file_path, processed_at, policy_name, status, success, size_before, size_after, size_change) VALUES ('0193a4a0-0000-7000-8000-000000000001', '/m/a.mkv', '2026-01-01T10:00:00.000Z', 'strip', 'success', 1, 1000, 600, 400)`);
    await v1.destroy();
    const { db, close } = await openDatabase(path);
    const versions = await db.selectFrom("schema_migrations").select("version").orderBy("version").execute();
    expect(versions.map((v) => v.version)).toEqual([...MIGRATION_VERSIONS]);
    // The new rollup is built from the runs already there.
    const rollup = await db.selectFrom("stats_rollup").selectAll().execute();
    expect(rollup.map((r) => [r.day, r.policy_name, r.runs, r.size_before_lo, r.size_after_lo])).toEqual([["2026-01-01", "strip", 1, 1000, 600]]);
    await close();
  });

  test("a read of a missing file names it and creates nothing", async () => {
    const path = tempDb();
    await expect(openDatabase(path, { access: "read" })).rejects.toMatchObject({ code: "DB_MISSING", message: expect.stringContaining(path) });
    expect(existsSync(path)).toBe(false);
  });

  test("writes begin IMMEDIATE: two processes recording at once both wait for the lock instead of failing", async () => {
    const path = tempDb();
    (await openDatabase(path)).close();
    // Each child holds a read-then-write transaction open for a while; with a plain BEGIN the
    // second would fail at once with "database is locked".
    const script = (n: number) => `
      import { openDatabase } from ${JSON.stringify(join(import.meta.dir, "open.ts"))};
      const { db, close } = await openDatabase(${JSON.stringify(path)});
      await db.transaction().execute(async (trx) => {
        await trx.selectFrom("files").select("id").execute();
        await Bun.sleep(300);
        await trx.insertInto("files").values({ path: "/m/${n}.mkv", scan_status: "ok" }).execute();
      });
      await close();`;
    const procs = [1, 2, 3].map((n) => Bun.spawn([process.execPath, "-e", script(n)], { stdout: "pipe", stderr: "pipe" }));
    const results = await Promise.all(procs.map(async (p) => ({ code: await p.exited, stderr: await new Response(p.stderr).text() })));
    expect(results).toEqual([1, 2, 3].map(() => ({ code: 0, stderr: "" })));
    const { db, close } = await openDatabase(path, { access: "read" });
    expect((await db.selectFrom("files").select("path").orderBy("path").execute()).map((r) => r.path)).toEqual(["/m/1.mkv", "/m/2.mkv", "/m/3.mkv"]);
    await close();
  });
});
