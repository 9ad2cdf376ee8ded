import { expect, test } from "bun:test";
import { openDatabase, recordRuns } from "../../core/mod.ts";
import { forEachDialect } from "../../tests/dialects.ts";
import { perfHistory } from "../../tests/fixtures/perf_history.ts";
import { detectRegressions } from "./detect.ts";

forEachDialect("detectRegressions", (dialect) => {
  test("a 30 % fps drop in recorded history is reported once per slowed measure, with its date and the runs around it; the steady phase gives nothing", async () => {
    const { db, close } = await openDatabase(await dialect.newLocation());
    try {
      const runs = perfHistory({ runs: 240, seed: 3, drop: { at: 150, change: -0.3 } });
      await recordRuns(db, runs);
      const found = await detectRegressions(db);
      expect(found.map((c) => [c.policy, c.phase, c.encoder, c.resolution, c.metric, c.direction])).toEqual([
        ["hevc", "transcode", "hevc/software", "1080p", "encoding_fps", "regression"],
        ["hevc", "transcode", "hevc/software", "1080p", "seconds_per_gb", "regression"],
      ]);
      const fps = found.find((c) => c.metric === "encoding_fps")!;
      expect(fps.at).toBe(runs[150]!.processed_at);
      expect(fps.run_before.stats_id).toBe(runs[149]!.id!);
      expect(fps.run_after.stats_id).toBe(runs[150]!.id!);
      expect(fps.change_percent).toBeGreaterThan(-36);
      expect(fps.change_percent).toBeLessThan(-24);
      expect([fps.runs_before, fps.runs_after]).toEqual([150, 90]);
      // Filters narrow the analysis: before the drop there is nothing to find.
      expect(await detectRegressions(db, { until: runs[140]!.processed_at })).toEqual([]);
      expect(await detectRegressions(db, { policy: "other" })).toEqual([]);
    } finally {
      await close();
    }
  }, 60_000);

  test("history without a drop reports no regression", async () => {
    const { db, close } = await openDatabase(await dialect.newLocation());
    try {
      await recordRuns(db, perfHistory({ runs: 240, seed: 4 }));
      expect(await detectRegressions(db, { improvements: true })).toEqual([]);
    } finally {
      await close();
    }
  }, 60_000);
});
