import { afterEach, expect, test } from "bun:test";
import { forEachDialect } from "../../tests/dialects.ts";
import type { Db } from "../db/handle.ts";
import { openTestDb } from "./_fixtures.ts";
import { windowWidenedBy } from "./_filters.ts";
import { rebuildRollups } from "./_rollup.ts";
import { getBreakdown } from "./breakdown.ts";
import { getPolicyStats } from "./policies.ts";
import { purgeRuns } from "./purge.ts";
import { applyRetention, retentionHorizon } from "./retention.ts";
import { getSummary, summaryFrom } from "./summary.ts";
import { getTrends } from "./trends.ts";

/** Every view that reads totals, over the windows a person would ask about. */
async function views(db: Db) {
  const windows = [
    {},
    { since: "2026-01-30T00:00:00.000Z", until: "2026-02-01T00:00:00.000Z" }, // the expired period, whole days
    { since: "2026-01-31T00:00:00.000Z" },
    { since: "2026-02-01T12:00:00.000Z" }, // an edge after the horizon: still scanned, still exact
    { until: "2026-02-02T06:00:00.000Z" },
  ];
  const out: unknown[] = [];
  for (const w of windows) {
    out.push(await getSummary(db, w), await getPolicyStats(db, w), await getTrends(db, { ...w, groupBy: "day" }), await getBreakdown(db, "node", w));
  }
  return out;
}

forEachDialect("retention keeps the rollup", (dialect) => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  test("runs before the horizon are deleted while every total over all time and over the expired period stays as it was", async () => {
    const opened = await openTestDb(dialect);
    close = opened.close;
    const { db } = opened;
    const before = await views(db);
    const counts = await applyRetention(db, { runsBefore: "2026-02-01T07:00:00.000Z" });
    expect(counts.runs).toBe(5); // R1–R5; the horizon is floored to the midnight
    expect(await retentionHorizon(db)).toBe("2026-02-01T00:00:00.000Z");
    const left = await db.selectFrom("processing_stats").select("processed_at").orderBy("processed_at").execute();
    expect(left.map((r) => r.processed_at)).toEqual(["2026-02-01T09:00:00.000Z", "2026-02-01T23:00:00.000Z", "2026-02-02T00:00:00.000Z", "2026-02-02T10:00:00.000Z", "2026-02-02T15:00:00.000Z"]);
    const orphans = await db.selectFrom("performance_metrics").select("stats_id").where("stats_id", "not in", db.selectFrom("processing_stats").select("id")).execute();
    expect(orphans).toEqual([]);
    expect(await views(db)).toEqual(before);
    // A full rebuild (what a migration may ask for) cannot bring back runs that are gone: it keeps those days.
    await db.transaction().execute((trx) => rebuildRollups(trx));
    expect(await views(db)).toEqual(before);
    // A second pass over the same horizon deletes nothing and changes nothing.
    expect((await applyRetention(db, { runsBefore: "2026-02-01T00:00:00.000Z" })).runs).toBe(0);
    expect(await views(db)).toEqual(before);
  });

  test("an edge day before the horizon is answered by its whole day, and the widening is reported", async () => {
    const opened = await openTestDb(dialect);
    close = opened.close;
    const { db } = opened;
    // 2026-01-31 12:00 onwards: R4 (12:00) and R5 (18:30) of that day, then everything after.
    const window = { since: "2026-01-31T12:00:00.000Z" };
    const exact = await getSummary(db, window);
    const wholeDays = await getSummary(db, { since: "2026-01-31T00:00:00.000Z" });
    expect(exact.total_files_processed).toBe(7);
    await applyRetention(db, { runsBefore: "2026-02-01T00:00:00.000Z" });
    expect(await getSummary(db, window)).toEqual(wholeDays);
    expect(windowWidenedBy(window, await retentionHorizon(db))).toEqual({ since: "2026-01-31T00:00:00.000Z", until: undefined });
    expect(windowWidenedBy({ since: "2026-02-01T12:00:00.000Z" }, await retentionHorizon(db))).toBeNull();
    // The raw scan (kept for the property tests) no longer sees the expired runs: only the rollup does.
    expect((await summaryFrom(db, {}, "raw")).total_files_processed).toBe(5);
  });

  test("details go sooner: actions and phases of old runs are deleted, the runs and totals stay", async () => {
    const opened = await openTestDb(dialect);
    close = opened.close;
    const { db } = opened;
    const before = await views(db);
    const counts = await applyRetention(db, { detailsBefore: "2026-02-02T00:00:00.000Z" });
    expect(counts.runs).toBe(0);
    expect(counts.details).toBeGreaterThan(0);
    const phases = await db.selectFrom("performance_metrics").innerJoin("processing_stats", "processing_stats.id", "performance_metrics.stats_id").select("processed_at").execute();
    expect(phases.every((p) => p.processed_at >= "2026-02-02")).toBe(true);
    expect((await db.selectFrom("processing_stats").select("id").execute()).length).toBe(10);
    expect(await views(db)).toEqual(before);
  });

  test("a purge cutting inside an expired day is refused; whole days purge their totals", async () => {
    const opened = await openTestDb(dialect);
    close = opened.close;
    const { db } = opened;
    await applyRetention(db, { runsBefore: "2026-02-01T00:00:00.000Z" });
    await expect(purgeRuns(db, { before: "2026-01-31T06:00:00.000Z" })).rejects.toThrow(/only by whole days: use --before 2026-01-31 or --before 2026-02-01/);
    await purgeRuns(db, { before: "2026-01-31T00:00:00.000Z" });
    expect((await getSummary(db, { until: "2026-01-31T00:00:00.000Z" })).total_files_processed).toBe(0);
    expect((await getSummary(db, { since: "2026-01-31T00:00:00.000Z", until: "2026-02-01T00:00:00.000Z" })).total_files_processed).toBe(3);
  });
});
