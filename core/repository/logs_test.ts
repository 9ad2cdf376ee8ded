import { afterAll, beforeAll, expect, test } from "bun:test";
import { forEachDialect } from "../../tests/dialects.ts";
import type { DatabaseHandle } from "../db/handle.ts";
import { openDatabase } from "../db/open.ts";
import { insertLogRecords, type NewLogRecord, pruneLogs, queryLogs } from "./logs.ts";

const record = (at: string, level: string, message: string, extra: Partial<NewLogRecord> = {}): NewLogRecord => ({
  at, level, category: "vpo.engine", message, job_id: null, run_id: null, file: null, node: "n1", plugin: null, properties: null, ...extra,
});

forEachDialect("log store", (dialect) => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openDatabase(await dialect.newLocation());
    await insertLogRecords(database.db, [
      record("2026-01-01T00:00:00.000Z", "info", "Job started", { job_id: "job-1" }),
      record("2026-01-01T00:00:01.000Z", "warning", "Slow disk at /media", { job_id: "job-1", run_id: "run-1", file: "/media/a.mkv" }),
      record("2026-01-01T00:00:02.000Z", "error", "Run failed: 100% of 50_50 frames lost", { job_id: "job-1", run_id: "run-1", file: "/media/a.mkv", properties: '{"exit_code":1}' }),
      record("2026-01-02T00:00:00.000Z", "error", "Another FAILURE", { job_id: "job-2", run_id: "run-2", file: "/media/B.mkv" }),
    ]);
  });
  afterAll(() => database.close());

  const messages = async (q: Parameters<typeof queryLogs>[1]) => (await queryLogs(database.db, q)).map((r) => r.message);

  test("filters by level and above, time, job, run and text (case-insensitive, % and _ taken literally)", async () => {
    expect(await messages({ level: "warning" })).toEqual(["Slow disk at /media", "Run failed: 100% of 50_50 frames lost", "Another FAILURE"]);
    expect(await messages({ level: "error", since: "2026-01-02T00:00:00.000Z" })).toEqual(["Another FAILURE"]);
    expect(await messages({ until: "2026-01-01T00:00:01.000Z" })).toEqual(["Job started"]);
    expect(await messages({ jobId: "job-1", level: "error" })).toEqual(["Run failed: 100% of 50_50 frames lost"]);
    expect(await messages({ runId: "run-2" })).toEqual(["Another FAILURE"]);
    expect(await messages({ grep: "failure" })).toEqual(["Another FAILURE"]);
    expect(await messages({ grep: "b.MKV" })).toEqual(["Another FAILURE"]);
    expect(await messages({ grep: "100%" })).toEqual(["Run failed: 100% of 50_50 frames lost"]);
    expect(await messages({ grep: "0_5" })).toEqual(["Run failed: 100% of 50_50 frames lost"]);
    expect(await messages({ grep: "0%5" })).toEqual([]);
  });

  test("the newest records, oldest first; following returns only newer ones; properties come back as an object", async () => {
    expect(await messages({ limit: 2 })).toEqual(["Run failed: 100% of 50_50 frames lost", "Another FAILURE"]);
    const all = await queryLogs(database.db);
    expect(all[2]!.properties).toEqual({ exit_code: 1 });
    expect(await messages({ afterId: all[1]!.id })).toEqual(["Run failed: 100% of 50_50 frames lost", "Another FAILURE"]);
  });

  test("pruning deletes records older than the bound only", async () => {
    expect(await pruneLogs(database.db, "2026-01-02T00:00:00.000Z")).toBe(3);
    expect(await messages({})).toEqual(["Another FAILURE"]);
  });
});
