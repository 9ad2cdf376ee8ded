import { beforeAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { openSync, writeSync, closeSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startServe } from "../server/_serve.ts";
import { tempDir, vpo } from "./_cli.ts";
import { seedNdjson } from "./_stats_seed.ts";

/**
 * A database file damaged on disk (a bad sector, a copy cut short): the commands that read the
 * damaged pages say so and what to do, `db verify` gives its verdict, the API answers 503 — never
 * "unexpected error" or a bare 500.
 */
let dataDir: string;
const DAMAGED = "vpo: The database file is damaged (SQLite: database disk image is malformed): restore it from a backup, or recover what is left with sqlite3's .recover; vpo db verify checks it\n";

beforeAll(async () => {
  dataDir = tempDir();
  writeFileSync(join(dataDir, "runs.ndjson"), seedNdjson());
  expect((await vpo(["stats", "import", "runs.ndjson"], { dataDir })).code).toBe(0);
  const file = join(dataDir, "library.db");
  const db = new Database(file);
  db.run("pragma wal_checkpoint(truncate)");
  const pageSize = (db.query("pragma page_size").get() as { page_size: number }).page_size;
  const root = (db.query("select rootpage from sqlite_schema where name = 'processing_stats'").get() as { rootpage: number }).rootpage;
  db.close();
  // The table's root page, after its header, overwritten: the file opens, reading the runs fails.
  const fd = openSync(file, "r+");
  writeSync(fd, Buffer.alloc(pageSize - 200, 0xde), 0, pageSize - 200, (root - 1) * pageSize + 100);
  closeSync(fd);
});

test("a command reading the damaged pages says the file is damaged and what to do (exit 1)", async () => {
  const recent = await vpo(["stats", "recent"], { dataDir });
  expect([recent.code, recent.stderr]).toEqual([1, DAMAGED]);
});

test("db verify gives its verdict on the damaged file instead of failing with it", async () => {
  const verify = await vpo(["db", "verify"], { dataDir });
  expect(verify.code).toBe(1);
  expect(verify.stdout).toMatch(/^FAIL  SQLite integrity_check: /);
  expect(verify.stderr).not.toContain("unexpected error");
});

test("the API answers 503 saying the file is damaged", async () => {
  const server = await startServe(["--port", "0"], { dataDir });
  try {
    const res = await fetch(`${server.url}/api/stats/recent`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: DAMAGED.slice("vpo: ".length, -1), code: "DB_DAMAGED" });
  } finally {
    await server.stop();
  }
}, 30_000);
