import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LATEST_SCHEMA_VERSION } from "./migrations.ts";
import { openDatabase } from "./open.ts";

const tempDb = () => join(mkdtempSync(join(tmpdir(), "vpo-db-")), "library.db");

describe("openDatabase", () => {
  test("creates every table, turns on WAL and foreign keys, and records the schema version", async () => {
    const path = tempDb();
    const { db, close } = await openDatabase(path);
    const tables = (await db.introspection.getTables()).map((t) => t.name).sort();
    expect(tables).toEqual(expect.arrayContaining(["action_results", "files", "jobs", "performance_metrics", "plugin_errors", "plugin_metrics", "processing_stats", "schema_migrations", "stats_daily"]));
    await close();
    const raw = new Database(path);
    expect(raw.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    expect(raw.query("SELECT max(version) AS v FROM schema_migrations").get()).toEqual({ v: LATEST_SCHEMA_VERSION });
    raw.close();
  });

  test("upgrades a database left at version 1 to the latest schema on open", async () => {
    const path = tempDb();
    (await openDatabase(path)).close();
    const raw = new Database(path);
    raw.exec(`DELETE FROM schema_migrations WHERE version > 1`);
    for (const { name } of raw.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'runs_in_flight'").all() as { name: string }[]) raw.exec(`DROP TABLE ${name}`);
    raw.close();
    const { db, close } = await openDatabase(path);
    const versions = await db.selectFrom("schema_migrations").select("version").orderBy("version").execute();
    expect(versions.map((v) => v.version)).toEqual(Array.from({ length: LATEST_SCHEMA_VERSION }, (_, i) => i + 1));
    await close();
  });

  test("refuses a database written by a newer vpo, saying which versions", async () => {
    const path = tempDb();
    (await openDatabase(path)).close();
    const raw = new Database(path);
    raw.exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${LATEST_SCHEMA_VERSION + 5}, 'future', '2030-01-01T00:00:00.000Z')`);
    raw.close();
    await expect(openDatabase(path)).rejects.toThrow(
      `has schema version ${LATEST_SCHEMA_VERSION + 5}, but this vpo understands up to ${LATEST_SCHEMA_VERSION}`,
    );
  });

  test("several processes opening the same new database at once all succeed", async () => {
    const path = tempDb();
    const script = `import { openDatabase } from ${JSON.stringify(join(import.meta.dir, "open.ts"))}; const o = await openDatabase(${JSON.stringify(path)}); await o.close();`;
    const procs = Array.from({ length: 6 }, () => Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe" }));
    const results = await Promise.all(procs.map(async (p) => ({ code: await p.exited, stderr: await new Response(p.stderr).text() })));
    expect(results).toEqual(Array.from({ length: 6 }, () => ({ code: 0, stderr: "" })));
  });
});
