import { expect, test } from "bun:test";
import fc from "fast-check";
import { runArb, runsAtArb, scopeArb, windowArbOf } from "../../tests/arbitraries.ts";
import { forEachDialect } from "../../tests/dialects.ts";
import { openDatabase } from "../db/open.ts";
import { codecsFrom } from "./codecs.ts";
import { verifyDatabase } from "./maintenance.ts";
import { metricsFrom } from "./metrics.ts";
import { purgeRuns } from "./purge.ts";
import { recordRuns } from "./record.ts";
import { applyRetention } from "./retention.ts";
import { summaryFrom } from "./summary.ts";
import { trendsFrom } from "./trends.ts";
import { queryTotals } from "./_totals.ts";
import { phaseTotals } from "./_phase_rollup.ts";
import { normalizeRange, planParts, roundSeconds } from "./_filters.ts";
import { rebuildRollups } from "./_rollup.ts";
import { rebuiltRollupRows, rollupRows, round } from "./_rollup_rows.ts";

/**
 * The hour tier: histories whose runs and window edges sit a few seconds either side of hour
 * boundaries on a few days, recorded in batches (some as a server does, folding metrics from the
 * table), keep every tier equal to a rebuild from the runs, and every view over windows off the
 * hour equals a full scan.
 */
const HOUR = 3_600_000;
const DAYS = ["2026-01-31", "2026-02-01", "2026-02-02"];

/** An instant on one of DAYS, at one of a few hours, often within seconds of the hour (either side). */
const instant = fc
  .tuple(
    fc.constantFrom(...DAYS).map((d) => Date.parse(`${d}T00:00:00Z`)),
    fc.constantFrom(0, 1, 11, 12, 13, 23),
    fc.oneof(fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: HOUR - 5_000, max: HOUR - 1 }), fc.integer({ min: 0, max: HOUR - 1 }), fc.constant(0)),
  )
  .map(([day, hour, ms]) => new Date(day + hour * HOUR + ms).toISOString());

const runs = runsAtArb(instant, 30);
const windowArb = windowArbOf(instant);

forEachDialect("hour tier of the rollups", (dialect) => {
  test("folding equals a rebuild in every tier, and every view over windows off the hour equals a full scan", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(runs, fc.boolean()), { minLength: 1, maxLength: 3 }),
        fc.option(instant, { nil: undefined }),
        fc.array(fc.tuple(windowArb, scopeArb), { minLength: 2, maxLength: 5 }),
        async (batches, purgeBefore, filters) => {
          const { db, close } = await openDatabase(await dialect.newLocation());
          try {
            for (const [batch, asServer] of batches) await recordRuns(db, batch, asServer ? { breathe: async () => {} } : {});
            expect(await rollupRows(db)).toEqual(await rebuiltRollupRows(db));
            if (purgeBefore) {
              await purgeRuns(db, { before: purgeBefore });
              expect(await rollupRows(db)).toEqual(await rebuiltRollupRows(db));
            }
            for (const [window, scope] of filters) {
              const filter = { ...window, ...scope };
              expect(await summaryFrom(db, filter, "auto")).toEqual(await summaryFrom(db, filter, "raw"));
              expect(await trendsFrom(db, { ...filter, groupBy: "day" }, "auto")).toEqual(await trendsFrom(db, { ...filter, groupBy: "day" }, "raw"));
              expect(await codecsFrom(db, filter, "auto")).toEqual(await codecsFrom(db, filter, "raw"));
              const metricsOf = async (source: "auto" | "raw") => (await metricsFrom(db, filter, source)).map((m) => ({ ...m, sum: round(m.sum), avg: round(m.avg) }));
              expect(await metricsOf("auto")).toEqual(await metricsOf("raw"));
              const totals = async (source: "auto" | "raw") =>
                (await queryTotals(db, { ...filter, range: normalizeRange(filter), group: "node", source })).map((r) => ({ ...r, totals: { ...r.totals, duration_sum: round(roundSeconds(r.totals.duration_sum)) } }));
              expect(await totals("auto")).toEqual(await totals("raw"));
              // Phases: an edge hour read as the hour less its rest, unless the rest held its longest phase.
              for (const group of ["phase", "node"] as const) {
                const phases = async (source: "auto" | "raw") =>
                  (await phaseTotals(db, filter, group, source))
                    .map((p) => ({ ...p, total_seconds: round(p.total_seconds), fps_sum: round(p.fps_sum), ok_fps_sum: round(p.ok_fps_sum) }))
                    .sort((a, b) => (a.key < b.key ? -1 : 1));
                expect(await phases("auto")).toEqual(await phases("raw"));
              }
            }
          } finally {
            await close();
          }
        },
      ),
      { numRuns: dialect.name === "sqlite" ? 25 : 6, endOnFailure: true },
    );
  }, 300_000);

  const at = (when: string, extra: object = {}) => ({ ...fc.sample(runArb, { numRuns: 1, seed: 3 })[0]!, id: Bun.randomUUIDv7(), processed_at: `${when}Z`, ...extra });

  test("codecs and metrics answer an edge day before the retention horizon by its whole day, as the totals do", async () => {
    const { db, close } = await openDatabase(await dialect.newLocation());
    try {
      const codecs = { video_source_codec: "h264", video_target_codec: null, plugin_metrics: { probe: { score: 1 } } };
      await recordRuns(db, ["2026-01-10T10:00:00.000", "2026-01-10T12:45:00.000", "2026-01-10T20:00:00.000", "2026-01-12T09:00:00.000"].map((w) => at(w, codecs)));
      await applyRetention(db, { runsBefore: "2026-01-11T00:00:00.000Z" });
      // 12:30 is off the hour: the partial hour's run is gone, so only the whole day can answer.
      const filter = { since: "2026-01-10T12:30:00.000Z" };
      expect((await summaryFrom(db, filter, "auto")).total_files_processed).toBe(4);
      expect(await codecsFrom(db, filter, "auto")).toEqual([{ codec: "h264", before: 4, after: 4 }]);
      expect((await metricsFrom(db, { ...filter, plugin: "probe" }, "auto")).map((m) => m.count)).toEqual([4]);
    } finally {
      await close();
    }
  });

  test("phases: an edge hour less a rest that held its longest phase is read from the runs, unless a longer one is known", async () => {
    const { db, close } = await openDatabase(await dialect.newLocation());
    try {
      const phase = (wall: number) => ({ phases: [{ phase_name: "transcode", wall_time_seconds: wall, bytes_read: null, bytes_written: null, encoding_fps: 30, encoding_bitrate: null }] });
      // 13:00:01 (the rest of the edge hour) holds the hour's longest phase; the window starts at 13:00:05.
      await recordRuns(db, [at("2026-01-10T13:00:01.000", phase(100)), at("2026-01-10T13:30:00.000", phase(10)), at("2026-01-10T13:40:00.000", phase(0.1))]);
      const longest = async (filter: { since: string; until: string }) => {
        const [auto, raw] = [await phaseTotals(db, filter, "phase", "auto"), await phaseTotals(db, filter, "phase", "raw")];
        expect(auto.map((p) => ({ ...p, total_seconds: round(p.total_seconds), fps_sum: round(p.fps_sum) }))).toEqual(raw.map((p) => ({ ...p, total_seconds: round(p.total_seconds), fps_sum: round(p.fps_sum) })));
        return auto.map((p) => [p.runs, p.max_seconds]);
      };
      expect(await longest({ since: "2026-01-10T13:00:05.000Z", until: "2026-01-10T15:00:00.000Z" })).toEqual([[2, 10]]);
      // A longer phase in a whole hour of the window settles it: the edge's own longest cannot be the window's.
      await recordRuns(db, [at("2026-01-10T14:30:00.000", phase(200))]);
      expect(await longest({ since: "2026-01-10T13:00:05.000Z", until: "2026-01-10T15:00:00.000Z" })).toEqual([[3, 200]]);
      // Only the rest's phase: the part has none of that key left, and is not answered with the rest's.
      expect(await longest({ since: "2026-01-10T13:00:00.000Z", until: "2026-01-10T13:00:30.000Z" })).toEqual([[1, 100]]);
      expect(await longest({ since: "2026-01-10T13:00:02.000Z", until: "2026-01-10T13:29:00.000Z" })).toEqual([]);
    } finally {
      await close();
    }
  });

  test("an edge day is read as whole hours and at most partial edge hours of runs", () => {
    const parts = planParts(normalizeRange({ since: "2026-01-10T12:30:00.000Z", until: "2026-01-12T00:10:00.000Z" }), null);
    expect(parts.map((p) => [p.source, p.range.since, p.range.until, p.whole?.source, p.minus?.source])).toEqual([
      ["raw", "2026-01-10T12:30:00.000Z", "2026-01-10T13:00:00.000Z", undefined, undefined],
      ["hour", "2026-01-10T13:00:00.000Z", "2026-01-11T00:00:00.000Z", undefined, undefined],
      ["rollup", "2026-01-11T00:00:00.000Z", "2026-01-12T00:00:00.000Z", undefined, undefined],
      ["raw", "2026-01-12T00:00:00.000Z", "2026-01-12T00:10:00.000Z", undefined, undefined],
    ]);
    // Most of a day in hours: the day less its first hours; most of an hour: the hour less its first minutes.
    const late = planParts(normalizeRange({ since: "2026-01-10T02:05:00.000Z", until: "2026-01-11T00:00:00.000Z" }), null);
    expect(late.map((p) => [p.source, p.whole?.source, p.minus?.source, p.minus?.range.since, p.minus?.range.until])).toEqual([
      ["complement", "hour", "raw", "2026-01-10T02:00:00.000Z", "2026-01-10T02:05:00.000Z"],
      ["complement", "rollup", "hour", "2026-01-10T00:00:00.000Z", "2026-01-10T03:00:00.000Z"],
    ]);
  });

  test("vpo db verify reports a codec, metric, phase or failure rollup row that disagrees with the runs", async () => {
    const handle = await openDatabase(await dialect.newLocation());
    try {
      const withDetails = { success: true, status: "success", error_message: null, phases: [{ phase_name: "remux", wall_time_seconds: 10, encoding_fps: 50 }], plugin_metrics: { probe: { score: 3 } } };
      await recordRuns(handle.db, [at("2026-01-10T10:00:00.000", withDetails), at("2026-02-10T11:30:00.000", withDetails)]);
      const details = async () => (await verifyDatabase(handle)).checks.find((c) => c.name === "codec, metric and phase totals agree with the runs")!;
      expect(await details()).toMatchObject({ ok: true });
      await handle.db.updateTable("phase_rollup").set({ total_seconds: 99 }).where("day", "=", "2026-01-10").execute();
      expect(await details()).toMatchObject({ ok: false, detail: "1 rollup rows differ from the runs" });
      await rebuildRollups(handle.db);
      expect(await details()).toMatchObject({ ok: true });
      await handle.db.updateTable("metric_rollup_month").set({ num_count: 7 }).where("day", "=", "2026-02-01").execute();
      expect((await details()).ok).toBe(false);
      // The failure rollup is checked with them.
      await rebuildRollups(handle.db);
      await recordRuns(handle.db, [at("2026-01-11T10:00:00.000", { success: false, status: "failed", error_message: "disk full" })]);
      expect(await details()).toMatchObject({ ok: true });
      await handle.db.updateTable("failure_rollup").set({ runs: 2 }).where("day", "=", "2026-01-11").execute();
      expect(await details()).toMatchObject({ ok: false, detail: "1 rollup rows differ from the runs" });
    } finally {
      await handle.close();
    }
  });

  test("vpo db verify reports an hour row that disagrees with the runs", async () => {
    const handle = await openDatabase(await dialect.newLocation());
    try {
      await recordRuns(handle.db, [at("2026-01-10T10:00:00.000"), at("2026-01-10T11:30:00.000")]);
      const hourly = async () => (await verifyDatabase(handle)).checks.find((c) => c.name === "hourly totals agree with the runs")!;
      expect(await hourly()).toMatchObject({ ok: true, detail: "2 hour rows" });
      await handle.db.updateTable("stats_rollup_hour").set({ runs: 5 }).where("day", "=", "2026-01-10T11").execute();
      expect(await hourly()).toMatchObject({ ok: false, detail: "1 hour rows differ from the runs" });
    } finally {
      await handle.close();
    }
  });
});
