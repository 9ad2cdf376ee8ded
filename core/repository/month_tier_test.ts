import { expect, test } from "bun:test";
import fc from "fast-check";
import { runArb, runsAtArb, scopeArb, windowArbOf } from "../../tests/arbitraries.ts";
import { forEachDialect } from "../../tests/dialects.ts";
import { openDatabase } from "../db/open.ts";
import { getBreakdown } from "./breakdown.ts";
import { codecsFrom } from "./codecs.ts";
import { metricsFrom } from "./metrics.ts";
import { policyStatsFrom } from "./policies.ts";
import { purgeRuns } from "./purge.ts";
import { recordRuns } from "./record.ts";
import { summaryFrom } from "./summary.ts";
import { trendsFrom } from "./trends.ts";
import { queryTotals } from "./_totals.ts";
import { complementEdges, normalizeRange, roundSeconds, splitHours, splitRange } from "./_filters.ts";
import { rebuiltRollupRows, rollupRows, round } from "./_rollup_rows.ts";
import { verifyDatabase } from "./maintenance.ts";

/**
 * The month tier and the complemented edge days over histories of three months: windows that start
 * and end mid-month and mid-day — often a few milliseconds from a midnight, where an edge day is
 * answered as its whole day less the runs of the rest of it — give what a full scan of the runs
 * gives, after recording in batches and purging.
 */
const DAY = 86_400_000;
/** Few days, so runs and window edges often share one: both ends of months, and mid-month. */
const DAYS = ["2025-12-31", "2026-01-01", "2026-01-02", "2026-01-15", "2026-01-31", "2026-02-01", "2026-02-14", "2026-02-28", "2026-03-01", "2026-03-02"];

/** An instant on one of DAYS, often within seconds of its midnights (either side), or on one. */
const instant = fc
  .tuple(
    fc.constantFrom(...DAYS).map((d) => Date.parse(`${d}T00:00:00Z`)),
    fc.oneof(fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: DAY - 5_000, max: DAY - 1 }), fc.integer({ min: 0, max: DAY - 1 }), fc.constant(0)),
  )
  .map(([day, ms]) => new Date(day + ms).toISOString());

const runs = runsAtArb(instant, 40);
const windowArb = windowArbOf(instant);



forEachDialect("month tier and complemented edge days", (dialect) => {
  const numRuns = dialect.name === "sqlite" ? 30 : 8;

  test("every view over windows off month and day boundaries equals a full scan", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(runs, { minLength: 1, maxLength: 3 }),
        fc.option(fc.tuple(instant, fc.option(fc.constantFrom("strip", "transcode"), { nil: undefined })), { nil: undefined }),
        fc.array(fc.tuple(windowArb, scopeArb), { minLength: 3, maxLength: 6 }),
        async (batches, purge, filters) => {
          const { db, close } = await openDatabase(await dialect.newLocation());
          try {
            for (const batch of batches) await recordRuns(db, batch);
            if (purge) await purgeRuns(db, { before: purge[0], policy: purge[1] });
            expect((await rollupRows(db)).monthly).toEqual((await rebuiltRollupRows(db)).monthly);
            for (const [window, scope] of filters) {
              const filter = { ...window, ...scope };
              expect(await summaryFrom(db, filter, "auto")).toEqual(await summaryFrom(db, filter, "raw"));
              expect(await policyStatsFrom(db, filter, "auto")).toEqual(await policyStatsFrom(db, filter, "raw"));
              for (const groupBy of ["day", "month"] as const) {
                expect(await trendsFrom(db, { ...filter, groupBy }, "auto")).toEqual(await trendsFrom(db, { ...filter, groupBy }, "raw"));
              }
              expect(await codecsFrom(db, filter, "auto")).toEqual(await codecsFrom(db, filter, "raw"));
              const metricsOf = async (source: "auto" | "raw") => (await metricsFrom(db, filter, source)).map((m) => ({ ...m, sum: round(m.sum), avg: round(m.avg) }));
              expect(await metricsOf("auto")).toEqual(await metricsOf("raw"));
              for (const by of ["node", "library"] as const) {
                const auto = await queryTotals(db, { ...filter, range: normalizeRange(filter), group: by, source: "auto" });
                const raw = await queryTotals(db, { ...filter, range: normalizeRange(filter), group: by, source: "raw" });
                // Durations as the views show them (roundSeconds: milliseconds): an edge day answered
                // as the day less the rest subtracts float sums, exact to far below a millisecond
                // (subtractTotals) but not to a run of 1e-273 s beside runs of minutes.
                const shown = (rows: typeof raw) => rows.map((r) => ({ ...r, totals: { ...r.totals, duration_sum: round(roundSeconds(r.totals.duration_sum)) } }));
                expect(shown(auto)).toEqual(shown(raw));
              }
              expect((await getBreakdown(db, "node", filter)).reduce((n, r) => n + r.files_processed, 0)).toBe((await summaryFrom(db, filter, "raw")).total_files_processed);
            }
          } finally {
            await close();
          }
        },
      ),
      { numRuns, endOnFailure: true },
    );
  }, 300_000);
});

test("an edge covering most of its hour (day, month) is answered as the whole hour (day, month) less the rest of it", () => {
  const parts = complementEdges(splitHours(splitRange({ since: "2026-01-05T00:00:00.004Z", until: "2026-03-02T23:00:00.000Z" })));
  const r = (since: string, until: string) => ({ since: `${since}Z`, until: `${until}Z` });
  expect(parts).toEqual([
    {
      range: r("2026-01-05T00:00:00.004", "2026-01-05T01:00:00.000"), source: "complement",
      whole: { range: r("2026-01-05T00:00:00.000", "2026-01-05T01:00:00.000"), source: "hour" },
      minus: { range: r("2026-01-05T00:00:00.000", "2026-01-05T00:00:00.004"), source: "raw" },
    },
    {
      range: r("2026-01-05T01:00:00.000", "2026-01-06T00:00:00.000"), source: "complement",
      whole: { range: r("2026-01-05T00:00:00.000", "2026-01-06T00:00:00.000"), source: "rollup" },
      minus: { range: r("2026-01-05T00:00:00.000", "2026-01-05T01:00:00.000"), source: "hour" },
    },
    {
      range: r("2026-01-06T00:00:00.000", "2026-02-01T00:00:00.000"), source: "complement",
      whole: { range: r("2026-01-01T00:00:00.000", "2026-02-01T00:00:00.000"), source: "month" },
      minus: { range: r("2026-01-01T00:00:00.000", "2026-01-06T00:00:00.000"), source: "rollup" },
    },
    { range: r("2026-02-01T00:00:00.000", "2026-03-01T00:00:00.000"), source: "month" },
    { range: r("2026-03-01T00:00:00.000", "2026-03-02T00:00:00.000"), source: "rollup" },
    {
      range: r("2026-03-02T00:00:00.000", "2026-03-02T23:00:00.000"), source: "complement",
      whole: { range: r("2026-03-02T00:00:00.000", "2026-03-03T00:00:00.000"), source: "rollup" },
      minus: { range: r("2026-03-02T23:00:00.000", "2026-03-03T00:00:00.000"), source: "hour" },
    },
  ]);
  // The shorter side is read: an edge covering less than half its hour (day) stays as it is; grouped by day, days stay days.
  const short = { since: "2026-01-05T13:40:00.000Z", until: "2026-01-05T14:00:00.000Z" };
  expect(complementEdges([{ range: short, source: "raw" }])).toEqual([{ range: short, source: "raw" }]);
  const hours = { since: "2026-01-05T13:00:00.000Z", until: "2026-01-06T00:00:00.000Z" };
  expect(complementEdges([{ range: hours, source: "hour" }])).toEqual([{ range: hours, source: "hour" }]);
  const days = { since: "2026-01-06T00:00:00.000Z", until: "2026-02-01T00:00:00.000Z" };
  expect(complementEdges([{ range: days, source: "rollup" }], { months: false })).toEqual([{ range: days, source: "rollup" }]);
});

forEachDialect("complemented edge day of plugin metrics", (dialect) => {
  test("when the runs before the start hold the day's smallest or largest value, the rest of the day is scanned", async () => {
    const { db, close } = await openDatabase(await dialect.newLocation());
    try {
      const at = (time: string, score: number) => ({ ...fc.sample(runArb, { numRuns: 1, seed: 7 })[0]!, id: Bun.randomUUIDv7(), processed_at: `2026-01-15T${time}Z`, plugin_metrics: { probe: { score } } });
      await recordRuns(db, [at("00:00:00.001", -5), at("12:00:00.000", 3), at("18:00:00.000", 7), at("23:59:59.998", 9)]);
      const window = { since: "2026-01-15T00:00:00.002Z", until: "2026-01-15T23:59:59.997Z" };
      expect(complementEdges(splitRange(window)).map((p) => p.source)).toEqual(["raw"]);
      for (const w of [{ since: window.since }, { until: window.until }]) {
        expect(await metricsFrom(db, { ...w, plugin: "probe" }, "auto")).toEqual(await metricsFrom(db, { ...w, plugin: "probe" }, "raw"));
      }
      expect(await metricsFrom(db, { since: window.since, plugin: "probe" }, "auto")).toEqual([{ plugin: "probe", key: "score", count: 3, sum: 19, avg: 19 / 3, min: 3, max: 9 }]);
      expect(await metricsFrom(db, { until: window.until, plugin: "probe" }, "auto")).toEqual([{ plugin: "probe", key: "score", count: 3, sum: 5, avg: 5 / 3, min: -5, max: 7 }]);
    } finally {
      await close();
    }
  });
});

forEachDialect("complemented edge month", (dialect) => {
  test("the first and last run left of a month less its other days are found, per group", async () => {
    const { db, close } = await openDatabase(await dialect.newLocation());
    try {
      const [template] = fc.sample(runArb, { numRuns: 1, seed: 11 });
      const at = (when: string, node: string) => ({ ...template!, id: Bun.randomUUIDv7(), processed_at: `${when}Z`, node });
      await recordRuns(db, [
        at("2026-01-01T10:00:00.000", "alpha"), at("2026-01-02T03:00:00.000", "alpha"), at("2026-01-20T00:00:00.000", "beta"), at("2026-02-10T12:00:00.000", "alpha"),
        at("2026-03-01T05:00:00.000", "beta"), at("2026-03-31T20:00:00.000", "beta"), at("2026-03-31T21:00:00.000", "alpha"),
      ]);
      const window = { since: "2026-01-02T00:00:00.000Z", until: "2026-03-31T00:00:00.000Z" };
      expect(complementEdges(splitRange(window)).map((p) => [p.source, p.whole?.source])).toEqual([["complement", "month"], ["month", undefined], ["complement", "month"]]);
      const summary = await summaryFrom(db, window, "auto");
      expect([summary.total_files_processed, summary.earliest_processing, summary.latest_processing]).toEqual([4, "2026-01-02T03:00:00.000Z", "2026-03-01T05:00:00.000Z"]);
      const nodes = await getBreakdown(db, "node", window);
      expect(nodes.map((n) => [n.name, n.files_processed, n.first_used, n.last_used])).toEqual([
        ["alpha", 2, "2026-01-02T03:00:00.000Z", "2026-02-10T12:00:00.000Z"],
        ["beta", 2, "2026-01-20T00:00:00.000Z", "2026-03-01T05:00:00.000Z"],
      ]);
    } finally {
      await close();
    }
  });
});

forEachDialect("vpo db verify and the month tier", (dialect) => {
  test("a month row that disagrees with its days is reported", async () => {
    const handle = await openDatabase(await dialect.newLocation());
    try {
      const [template] = fc.sample(runArb, { numRuns: 1, seed: 5 });
      await recordRuns(handle.db, ["2026-01-10T10:00:00.000", "2026-02-03T10:00:00.000"].map((at) => ({ ...template!, id: Bun.randomUUIDv7(), processed_at: `${at}Z` })));
      const monthly = async () => (await verifyDatabase(handle)).checks.find((c) => c.name === "monthly totals agree with the daily ones")!;
      expect(await monthly()).toMatchObject({ ok: true, detail: "2 month rows" });
      await handle.db.updateTable("stats_rollup_month").set({ runs: 5 }).where("day", "=", "2026-02-01").execute();
      expect(await monthly()).toMatchObject({ ok: false, detail: "1 month rows differ from their days" });
    } finally {
      await handle.close();
    }
  });
});
