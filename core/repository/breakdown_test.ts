import { afterAll, beforeAll, expect, test } from "bun:test";
import { forEachDialect } from "../../tests/dialects.ts";
import type { Db } from "../db/handle.ts";
import { openTestDb, RUNS } from "./_fixtures.ts";
import { getBreakdown } from "./breakdown.ts";
import { getPolicyStats } from "./policies.ts";
import { getRecentRuns } from "./runs.ts";
import { getSummary } from "./summary.ts";
import { getTrends } from "./trends.ts";

// The fixture runs spread over two nodes and two libraries; R9 and R10 name neither.
const WHERE: Record<number, { node: string; library: string } | undefined> = {
  0: { node: "alpha", library: "movies" }, 1: { node: "beta", library: "tv" }, 2: { node: "beta", library: "tv" },
  3: { node: "alpha", library: "movies" }, 4: { node: "alpha", library: "movies" }, 5: { node: "alpha", library: "movies" },
  6: { node: "beta", library: "tv" }, 7: { node: "beta", library: "tv" },
};

forEachDialect("breakdown by node and library", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await openTestDb(dialect, RUNS.map((run, i) => ({ ...run, ...WHERE[i] })))));
  afterAll(() => close());

  test("per-node rows add up to the summary, runs naming no node included as null", async () => {
    const rows = await getBreakdown(db, "node");
    expect(rows.map((r) => [r.name, r.files_processed, r.successes, r.total_size_saved])).toEqual([
      ["alpha", 4, 3, 600], // R1 200, R4 −100, R5 interrupted, R6 500
      ["beta", 4, 3, 4400], // R2 800, R3 failed, R7 3000, R8 600
      [null, 2, 1, 200], // R9 failed, R10 200
    ]);
    const summary = await getSummary(db);
    expect(rows.reduce((n, r) => n + r.files_processed, 0)).toBe(summary.total_files_processed);
    expect(rows.reduce((n, r) => n + Number(r.total_size_saved), 0)).toBe(Number(summary.total_size_saved));
  });

  test("--library and --node filter every view, alone and together, whole days and edges alike", async () => {
    expect((await getSummary(db, { library: "tv" })).total_files_processed).toBe(4);
    expect((await getSummary(db, { node: "alpha", library: "movies", since: "2026-01-31T06:00:00.000Z" })).total_files_processed).toBe(3);
    expect((await getSummary(db, { node: "alpha", library: "tv" })).total_files_processed).toBe(0);
    expect((await getPolicyStats(db, { node: "beta" })).map((p) => [p.policy_name, p.files_processed])).toEqual([["transcode", 4]]);
    expect((await getRecentRuns(db, { node: "alpha", limit: 2 })).map((r) => r.processed_at)).toEqual(["2026-02-01T09:00:00.000Z", "2026-01-31T18:30:00.000Z"]);
    expect((await getTrends(db, { groupBy: "month", library: "movies" })).map((p) => [p.period, p.files_processed])).toEqual([["2026-01", 3], ["2026-02", 1]]);
    expect((await getBreakdown(db, "library", { policy: "strip" })).map((r) => [r.name, r.files_processed])).toEqual([["movies", 3], [null, 1]]);
  });
});
