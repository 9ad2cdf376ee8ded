import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { openDatabase, type OpenedDatabase, recordRun, VpoError } from "../../core/mod.ts";
import { tempDir } from "../../tests/server/_seed.ts";
import { createInlineReader, type Reader } from "./ops.ts";
import { createWorkerReader } from "./pool.ts";

let opened: OpenedDatabase;
let pool: Reader;
beforeAll(async () => {
  opened = await openDatabase(join(tempDir(), "library.db"));
  for (let i = 0; i < 3; i++) {
    await recordRun(opened.db, { file_path: `/m/${i}.mkv`, processed_at: `2026-01-0${i + 1}T00:00:00Z`, policy_name: "p", success: true, size_before: 10, size_after: 5 });
  }
  pool = createWorkerReader(opened.location, { size: 2 });
});
afterAll(async () => {
  await pool.close();
  await opened.close();
});

describe("worker read pool", () => {
  test("answers exactly what an inline read answers", async () => {
    const inline = createInlineReader(opened.db);
    for (const [op, args] of [["summary", {}], ["recent", { limit: 2 }], ["trends", { groupBy: "week" }], ["policyTotals", {}], ["feedHead", {}]] as const) {
      expect(await pool.read(op, args as never)).toEqual(await inline.read(op, args as never));
    }
  });

  test("sees writes committed on the main connection", async () => {
    await recordRun(opened.db, { file_path: "/m/new.mkv", processed_at: "2026-01-09T00:00:00Z", policy_name: "p", success: false });
    expect((await pool.read("summary", {})).total_files_processed).toBe(4);
  });

  test("a domain error comes back as the same VpoError", async () => {
    const error = await pool.read("runDetail", { id: "ffffffff" }).catch((e) => e);
    expect(error).toBeInstanceOf(VpoError);
    expect([error.code, error.message]).toEqual(["NOT_FOUND", 'No run with id "ffffffff"']);
  });

  test("reads the run feed after a cursor, and refuses reads once closed", async () => {
    const reader = createWorkerReader(opened.location);
    const { entries } = await reader.read("readFeed", { cursor: { lastSeq: 2 } });
    const events = await reader.read("runEvents", { ids: entries.map((e) => e.run_id!) });
    expect(events.map((e) => e.file_path)).toEqual(["/m/2.mkv", "/m/new.mkv"]);
    await reader.close();
    await expect(reader.read("summary", {})).rejects.toThrow("The read pool is closed");
  });
});
