import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "kysely";
import * as v from "valibot";
import type { Db } from "../db/handle.ts";
import { normalizeRunRecord, RunRecordSchema, type RunRecord } from "../record/mod.ts";
import { ID, openTestDb, RUNS } from "./_fixtures.ts";
import { hasRuns, streamRunRecords } from "./export.ts";
import { type ImportProgress, importRunLines, parseRunLine, readLines } from "./import.ts";
import { getPolicyStats } from "./policies.ts";
import { getRunDetail } from "./run_detail.ts";
import { getSummary } from "./summary.ts";
import { getTrends } from "./trends.ts";
import { forEachDialect } from "../../tests/dialects.ts";

forEachDialect("export and import", (dialect) => {
let db: Db;
let close: () => Promise<void>;
beforeAll(async () => ({ db, close } = await openTestDb(dialect)));
afterAll(() => close());

const collect = async (filter = {}) => {
  const out: RunRecord[] = [];
  for await (const run of streamRunRecords(db, filter)) out.push(run);
  return out;
};
const linesOf = (text: string) => () => readLines([new TextEncoder().encode(text)]);

describe("streamRunRecords", () => {
  test("yields every run oldest first, each a fixed point of the import format", async () => {
    const runs = await collect();
    expect(runs.map((r) => r.id)).toEqual(Object.values(ID));
    for (const run of runs) {
      expect(v.safeParse(RunRecordSchema, run).success).toBe(true);
      // Same keys in the same order, same values: re-importing changes nothing.
      expect(JSON.stringify(normalizeRunRecord(run))).toBe(JSON.stringify(run));
    }
  });

  test("carries children and flags exactly as getRunDetail reads them", async () => {
    const [r1] = await collect({ since: "2026-01-30T08:00:00.000Z", until: "2026-01-30T08:00:00.001Z" });
    const { file_id: _f, actions, phases, ...detail } = await getRunDetail(db, ID.R1);
    expect(r1).toMatchObject({ ...detail, phases: phases.map(({ seq: _s, ...p }) => p), actions: actions.map(({ seq: _s, ...a }) => a) });
    expect(r1!.plugin_metrics).toEqual({ size: { bytes_saved: 200 }, hash: { algo: "sha256" } });
  });

  test("filters by window and policy like the views do", async () => {
    const strip = await collect({ policy: "strip", until: "2026-02-01T00:00:00.000Z" });
    expect(strip.map((r) => r.id)).toEqual([ID.R1, ID.R5]);
    expect(await hasRuns(db, { policy: "nope" })).toBe(false);
    expect(await hasRuns(db, { policy: "remux" })).toBe(true);
  });
});

describe("importRunLines", () => {
  test("export then import into an empty database reproduces summary, policies, trends and the export itself", async () => {
    const ndjson = (await collect()).map((r) => JSON.stringify(r)).join("\n");
    const target = await openTestDb(dialect, []);
    try {
      const report = await importRunLines(target.db, linesOf(`${ndjson}\n`), { batchSize: 3 });
      expect(report).toMatchObject({ lines: 10, valid: 10, invalid: 0, imported: 10, duplicates: 0 });
      expect(await getSummary(target.db)).toEqual(await getSummary(db));
      expect(await getPolicyStats(target.db)).toEqual(await getPolicyStats(db));
      expect(await getTrends(target.db, { groupBy: "week" })).toEqual(await getTrends(db, { groupBy: "week" }));
      const again: string[] = [];
      for await (const run of streamRunRecords(target.db)) again.push(JSON.stringify(run));
      expect(again.join("\n")).toBe(ndjson);

      const reimport = await importRunLines(target.db, linesOf(ndjson));
      expect(reimport).toMatchObject({ imported: 0, duplicates: 10 });
    } finally {
      await target.close();
    }
  });

  test("reports its progress: every line checked, then every run stored or skipped, counts that only grow", async () => {
    const lines = (await collect()).map((r) => JSON.stringify(r));
    const target = await openTestDb(dialect, []);
    try {
      const heard: ImportProgress[] = [];
      const text = `${lines.slice(0, 4).join("\n")}\nnot json\n${lines.join("\n")}\n`; // 4 runs twice, one bad line
      const report = await importRunLines(target.db, linesOf(text), { skipInvalid: true, onProgress: (p) => heard.push({ ...p }) });
      expect(report).toMatchObject({ lines: 15, invalid: 1, imported: 10, duplicates: 4 });
      const phases = heard.map((p) => p.phase);
      expect(phases[0]).toBe("checking");
      expect(phases.indexOf("storing")).toBeGreaterThan(phases.lastIndexOf("checking"));
      expect(heard.findLast((p) => p.phase === "checking")).toMatchObject({ lines: 15, invalid: 1 });
      expect(heard.at(-1)).toMatchObject({ phase: "storing", stored: 10, duplicates: 4 });
      const stored = heard.filter((p) => p.phase === "storing").map((p) => p.stored + p.duplicates);
      expect(stored).toEqual([...stored].sort((a, b) => a - b));
    } finally {
      await target.close();
    }
  });

  test("the bulk-load settings of an import are undone when it ends, stored or failed", async () => {
    if (dialect.name !== "sqlite") return; // page cache and checkpointing are SQLite's
    const pragmas = async (target: Db) => {
      const one = async (name: string) => Object.values((await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(target)).rows[0]!)[0];
      return { cache_size: await one("cache_size"), wal_autocheckpoint: await one("wal_autocheckpoint"), synchronous: await one("synchronous") };
    };
    const target = await openTestDb(dialect, []);
    try {
      const before = await pragmas(target.db);
      const ndjson = (await collect()).map((r) => JSON.stringify(r)).join("\n");
      expect((await importRunLines(target.db, linesOf(ndjson))).imported).toBe(10);
      expect(await pragmas(target.db)).toEqual(before);
      let changed = 0;
      const lines = async function* () {
        // Different text in the second pass: the import stops with an error.
        for (const line of ndjson.split("\n")) yield changed++ < 10 ? line : `${line} `;
      };
      await expect(importRunLines(target.db, lines)).rejects.toThrow();
      expect(await pragmas(target.db)).toEqual(before);
    } finally {
      await target.close();
    }
  });

  test("one invalid line blocks the whole file unless skipInvalid; ids repeated in the file count as duplicates", async () => {
    const [a, b] = RUNS.map((r) => JSON.stringify(r));
    const bad = JSON.stringify({ ...RUNS[2], size_before: "x" });
    const text = [a, "", bad, b, a, "{oops"].join("\n");
    const target = await openTestDb(dialect, []);
    try {
      const blocked = await importRunLines(target.db, linesOf(text));
      expect(blocked).toMatchObject({ lines: 5, valid: 3, invalid: 2, imported: 0 });
      expect(blocked.errors.map((e) => e.line)).toEqual([3, 6]);
      expect(blocked.errors[0]!.message).toBe('line 3: size_before: Invalid type: Expected number but received "x"');
      expect(await hasRuns(target.db)).toBe(false);

      const dry = await importRunLines(target.db, linesOf(text), { skipInvalid: true, dryRun: true });
      expect(dry).toMatchObject({ imported: 2, duplicates: 1 });
      expect(await hasRuns(target.db)).toBe(false);

      const skipped = await importRunLines(target.db, linesOf(text), { skipInvalid: true, batchSize: 2 });
      expect(skipped).toMatchObject({ invalid: 2, imported: 2, duplicates: 1 });
      expect((await getSummary(target.db)).total_files_processed).toBe(2);
    } finally {
      await target.close();
    }
  });

  test("a file that changes between the validating pass and the storing pass stops the import; what changed is never stored", async () => {
    const [a, b, c] = RUNS.map((r) => JSON.stringify(r));
    const target = await openTestDb(dialect, []);
    try {
      for (const second of [[a, c], [a, "{oops"], [a], [a, b, c]]) {
        let calls = 0;
        const lines = async function* () {
          yield* calls++ === 0 ? [a!, b!] : second;
        };
        await expect(importRunLines(target.db, lines)).rejects.toThrow("the file changed while it was being imported");
        expect(await hasRuns(target.db)).toBe(false);
      }
    } finally {
      await target.close();
    }
  });

  test("a JSON array on line 1 is explained rather than just rejected", () => {
    expect(parseRunLine("[{}]", 1)).toMatchObject({ line: 1, message: expect.stringContaining("looks like a JSON array") });
  });

  test("the CSV export's header on line 1 is explained too", () => {
    expect(parseRunLine("id,file_path,processed_at,policy_name", 1)).toMatchObject({ line: 1, message: expect.stringContaining("looks like a CSV header") });
    expect(parseRunLine("id,file_path,processed_at", 2)).toMatchObject({ message: expect.not.stringContaining("CSV") });
  });

  test("readLines splits LF and CRLF across chunk boundaries, multi-byte characters included", async () => {
    const bytes = new TextEncoder().encode("a\r\nb\u00e9c\nlast");
    const chunks = [bytes.slice(0, 2), bytes.slice(2, 5), bytes.slice(5)];
    const out: string[] = [];
    for await (const l of readLines(chunks)) out.push(l);
    expect(out).toEqual(["a", "b\u00e9c", "last"]);
  });
});
});
