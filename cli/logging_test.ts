import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getLogger, reset, withContext } from "@logtape/logtape";
import { configureLogging } from "./logging.ts";

afterAll(() => reset());

const dir = mkdtempSync(join(tmpdir(), "vpo-logging-"));
const log = getLogger(["vpo", "engine"]);

/** Configures logging with stderr captured; returns the captured text. */
async function capture(options: Parameters<typeof configureLogging>[0]): Promise<string[]> {
  const lines: string[] = [];
  await configureLogging(options, { stderr: (text) => lines.push(text) });
  return lines;
}

describe("log formats", () => {
  test("text: UTC timestamp, level, category, message, and context the message does not show", async () => {
    const out = await capture({ level: "info" });
    withContext({ job_id: "J1", run_id: "R1", plugin: "hash" }, () => log.info("Processing {file}", { file: "/m/a.mkv" }));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[INF\] vpo\.engine: Processing \/m\/a\.mkv \(job_id=J1 run_id=R1 plugin=hash\)\n$/);
  });

  test("JSON lines: @timestamp, level, message, logger and every context field", async () => {
    const out = await capture({ level: "info", json: true });
    withContext({ job_id: "J1", run_id: "R1" }, () => log.warn("Plugin {plugin} failed", { plugin: "hash", file: "/m/a.mkv" }));
    const record = JSON.parse(out[0]!);
    expect(record).toEqual({
      "@timestamp": expect.stringMatching(/Z$/),
      level: "WARN",
      message: 'Plugin "hash" failed',
      logger: "vpo.engine",
      context: { job_id: "J1", run_id: "R1", plugin: "hash", file: "/m/a.mkv" },
    });
  });

  test("records below the level are dropped; the default level is warning", async () => {
    const out = await capture({});
    log.info("hidden");
    log.debug("hidden");
    log.warn("shown");
    expect(out.map((l) => l.replace(/^\S+ /, ""))).toEqual(["[WRN] vpo.engine: shown\n"]);
  });
});

describe("log file", () => {
  test("rotates by size, keeping backup_count old files", async () => {
    const file = join(dir, "rotate/vpo.log");
    await capture({ level: "info", file, max_bytes: 300, backup_count: 2 });
    for (let i = 0; i < 30; i++) log.info("line {i} of the rotation test", { i });
    const names = readdirSync(join(dir, "rotate")).sort();
    expect(names).toEqual(["vpo.log", "vpo.log.1", "vpo.log.2"]);
    for (const name of names) expect(statSync(join(dir, "rotate", name)).size).toBeLessThanOrEqual(300);
    expect(readFileSync(file, "utf8")).toContain("line 29 of the rotation test");
  });

  test("gets the same lines as stderr, in JSON with json = true", async () => {
    const file = join(dir, "json.log");
    const out = await capture({ level: "info", file, json: true });
    withContext({ job_id: "J9" }, () => log.info("hello"));
    expect(readFileSync(file, "utf8")).toBe(out.join(""));
    expect(JSON.parse(readFileSync(file, "utf8")).context).toEqual({ job_id: "J9" });
  });

  test("a log file that cannot be opened warns once on stderr, and logging goes on there", async () => {
    const blocker = join(dir, "not-a-dir");
    writeFileSync(blocker, "");
    const file = join(blocker, "vpo.log");
    const out = await capture({ level: "info", file });
    log.info("first");
    log.error("second");
    expect(out[0]).toStartWith(`warning: cannot open log file "${file}"`);
    expect(out.slice(1).map((l) => l.replace(/^\S+ /, ""))).toEqual(["[INF] vpo.engine: first\n", "[ERR] vpo.engine: second\n"]);
    expect(out.filter((l) => l.startsWith("warning:"))).toHaveLength(1);
    expect(existsSync(file)).toBe(false);
  });

  test("a SQLite database given as the log file is left alone (log lines appended to it would damage it)", async () => {
    const file = join(dir, "library.db");
    const db = new Database(file);
    db.run("create table t (x)");
    db.close();
    const before = readFileSync(file);
    const out = await capture({ level: "info", file });
    log.info("first");
    expect(out[0]).toBe(`warning: cannot open log file "${file}" (it is the SQLite database "${file}"); logging to stderr only\n`);
    expect(readFileSync(file).equals(before)).toBe(true);
  });
});
