import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Compilable, CompiledQuery } from "kysely";
import { type DatabaseHandle, openDatabase } from "../db/open.ts";
import { fileRuns, latestRunsQuery } from "./failures.ts";
import { slowestPhasesQuery } from "./phases.ts";

/**
 * The reads no rollup can answer are bounded by an index, not by history: SQLite's plan for each
 * names the index (a plan that scans the window instead would pass every other test and grow with
 * the runs). PostgreSQL chooses by its statistics; the views bench shows its times.
 */
describe("bounded reads [sqlite]", () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openDatabase(join(mkdtempSync(join(tmpdir(), "vpo-plan-")), "library.db"));
  });
  afterAll(() => handle.close());

  const plan = async (query: Compilable<unknown>) => {
    const compiled = query.compile();
    const { rows } = await handle.db.executeQuery(CompiledQuery.raw(`explain query plan ${compiled.sql}`, [...compiled.parameters]));
    return (rows as { detail: string }[]).map((r) => r.detail).join(" | ");
  };
  const windows: Record<string, { since?: string; until?: string; policy?: string }> = {
    "all time": {},
    "two years": { since: "2024-01-01T00:00:00.000Z", until: "2026-01-01T00:00:00.000Z" },
    "30 days off midnight": { since: "2025-06-01T13:37:00.000Z", until: "2025-07-01T09:15:00.000Z", policy: "strip" },
  };

  for (const [name, filter] of Object.entries(windows)) {
    const group = { status: "failed" as const, reason: "ffmpeg exited with code 1" };
    test(`a failure reason's latest runs over ${name} are walked newest first through stats_failure_time`, async () => {
      const detail = await plan(latestRunsQuery(handle.db, group, filter, filter, 20));
      expect(detail).toMatch(/^SEARCH processing_stats USING (COVERING )?INDEX stats_failure_time \(status=\? AND failure_reason=\?/);
      // Walked in the order asked, so it stops at the limit.
      expect(detail).not.toContain("TEMP B-TREE");
    });
    test(`a failure reason's runs of a file over ${name} are counted through stats_failure_file`, async () => {
      const detail = await plan(fileRuns(handle.db, group, filter, filter, "/m/a.mkv").select((eb) => eb.fn.countAll().as("n")));
      expect(detail).toMatch(/^SEARCH processing_stats USING (COVERING )?INDEX stats_failure_file \(status=\? AND failure_reason=\? AND file_path=\?/);
    });
    test(`the slowest phases over ${name} walk the wall-time index from the longest down`, async () => {
      const detail = await plan(slowestPhasesQuery(handle.db, filter, 10));
      expect(detail).toMatch(/^(CO-ROUTINE \w+ \| )?SEARCH performance_metrics USING INDEX perf_wall_time/);
      // Walked in the order asked, so it stops at the limit: no sort of every phase that ties.
      expect(detail).not.toContain("TEMP B-TREE");
    });
  }

  test("with the planner statistics ANALYZE leaves at a million runs, the slowest phases still walk the wall-time index, with no Bloom filter over the window's runs", async () => {
    const analysed = await openDatabase(join(mkdtempSync(join(tmpdir(), "vpo-plan-")), "library.db"));
    const sqlite = analysed.sqlite;
    // What `vpo db optimize` (ANALYZE) recorded for a 1M-run history; a join built a Bloom filter over every run of the window first (300 ms).
    sqlite!.exec("ANALYZE");
    const stats: [string, string, string][] = [
      ["processing_stats", "sqlite_autoindex_processing_stats_1", "1000000 1"], ["processing_stats", "stats_processed_at", "1000000 1"],
      ["processing_stats", "stats_policy_time", "1000000 200000 1"], ["processing_stats", "stats_failed_at", "58824 1"],
      ["performance_metrics", "perf_wall_time", "2000000 3328 1"], ["performance_metrics", "performance_metrics_stats", "2000000 2"],
    ];
    sqlite!.exec("DELETE FROM sqlite_stat1");
    for (const row of stats) sqlite!.query("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)").run(...row);
    sqlite!.exec("ANALYZE sqlite_schema"); // reloads the statistics
    for (const filter of Object.values(windows)) {
      const compiled = slowestPhasesQuery(handle.db, filter, 10).compile();
      const detail = sqlite!.query(`explain query plan ${compiled.sql}`).all(...(compiled.parameters as never[])).map((r) => (r as { detail: string }).detail).join(" | ");
      expect(detail).toContain("SEARCH performance_metrics USING INDEX perf_wall_time");
      expect(detail).not.toContain("BLOOM FILTER");
    }
    await analysed.close();
  });

  test("the slowest phases of a window under a day are found through the window, not the whole wall-time index", async () => {
    const detail = await plan(slowestPhasesQuery(handle.db, { since: "2025-06-01T10:00:00.000Z", until: "2025-06-01T12:00:00.000Z" }, 10));
    expect(detail).toContain("processing_stats USING INDEX stats_processed_at");
  });
});
