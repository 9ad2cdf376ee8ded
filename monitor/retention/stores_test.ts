import { expect, test } from "bun:test";
import { insertLogRecords, type NewLogRecord, openDatabase, queryLogs } from "../../core/mod.ts";
import { forEachDialect } from "../../tests/dialects.ts";
import { runRetention } from "./run.ts";

const record = (at: string, message: string): NewLogRecord => ({
  at, level: "error", category: "vpo.engine.runs", message, job_id: null, run_id: null, file: null, node: "n1", plugin: null, properties: null,
});

forEachDialect("retention of the log store", (dialect) => {
  test("a retention pass deletes log records older than [retention] logs_days and keeps the rest; unset keeps them all", async () => {
    const { db, close } = await openDatabase(await dialect.newLocation());
    try {
      await insertLogRecords(db, [record("2026-01-01T00:00:00.000Z", "old"), record("2026-02-27T00:00:00.000Z", "recent")]);
      const now = new Date("2026-03-01T00:00:00.000Z");
      expect((await runRetention(db, {}, { now })).stores).toEqual({});
      expect((await queryLogs(db, {})).map((r) => r.message)).toEqual(["old", "recent"]);
      expect((await runRetention(db, { logs_days: 30 }, { now })).stores).toEqual({ "log records": 1 });
      expect((await queryLogs(db, {})).map((r) => r.message)).toEqual(["recent"]);
    } finally {
      await close();
    }
  });
});
