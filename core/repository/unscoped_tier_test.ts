import { afterAll, beforeAll, expect, test } from "bun:test";
import { forEachDialect } from "../../tests/dialects.ts";
import type { Db } from "../db/handle.ts";
import { unscopedRollups } from "../db/migrations/012_unscoped_rollups.ts";
import { migrationContext } from "../db/migrations/_types.ts";
import { openDatabase } from "../db/open.ts";
import { openTestDb, RUNS } from "./_fixtures.ts";
import { rebuiltRollupRows, rollupRows } from "./_rollup_rows.ts";
import { recordRuns } from "./record.ts";
import { verifyDatabase } from "./maintenance.ts";
import { getBreakdown } from "./breakdown.ts";
import { getCodecDistribution } from "./codecs.ts";
import { getMetricAggregates } from "./metrics.ts";
import { listNodes } from "./nodes.ts";
import { getPhaseTimes } from "./phases.ts";
import { getPolicyStats } from "./policies.ts";
import { getSummary } from "./summary.ts";
import { getTrends } from "./trends.ts";

/**
 * A view with no policy, library or node in its filter reads the whole days and months of its
 * window from the unscoped twins of the rollups (a row per day or month, not one per scope); a
 * scoped view, or one grouped by a scope column, from the scoped tiers. Told by the rollup tables
 * its statements name. That both answer the same is the property tests' (every view equals a scan).
 */
forEachDialect("unscoped tier", (dialect) => {
  let recorded: Db;
  let close: () => Promise<void>;
  let statements: string[] = [];
  beforeAll(async () => {
    let db: Db;
    ({ db, close } = await openTestDb(dialect));
    // A handle of its own (withPlugin makes a new executor) whose every statement is recorded as
    // compiled (not as executed: on PostgreSQL a totals statement runs on a connection of its own).
    recorded = db.withPlugin({ transformQuery: ({ node }) => node, transformResult: async ({ result }) => result });
    const executor = recorded.getExecutor();
    const compile = executor.compileQuery.bind(executor);
    executor.compileQuery = (node, id) => {
      const compiled = compile(node, id);
      statements.push(compiled.sql);
      return compiled;
    };
  });
  afterAll(() => close());

  /** The rollup tables the view's statements name. */
  const tablesRead = async (view: (db: Db) => Promise<unknown>) => {
    statements = [];
    await view(recorded);
    return [...new Set(statements.flatMap((s) => [...s.matchAll(/\b(?:stats|codec|metric|phase)_rollup\w*/g)].map((m) => m[0])))].sort();
  };

  // Two whole months inside, whole days and edge hours around them.
  const window = { since: "2025-11-20T13:37:00.000Z", until: "2026-02-03T09:15:00.000Z" };
  const views: Record<string, (db: Db, filter: typeof window & { policy?: string; node?: string }) => Promise<unknown>> = {
    summary: (db, f) => getSummary(db, f),
    "trends by day": (db, f) => getTrends(db, { ...f, groupBy: "day" }),
    "trends by month": (db, f) => getTrends(db, { ...f, groupBy: "month" }),
    codecs: (db, f) => getCodecDistribution(db, f),
    metrics: (db, f) => getMetricAggregates(db, f),
    "phase timings": (db, f) => getPhaseTimes(db, f),
  };

  for (const [name, view] of Object.entries(views)) {
    test(`${name} with no scope reads whole days and months from the unscoped tier`, async () => {
      const tables = await tablesRead((db) => view(db, window));
      expect(tables.some((t) => t.endsWith("_unscoped") || t.endsWith("_unscoped_month"))).toBe(true);
      // Only the hour tier (edge days) is read scoped.
      expect(tables.filter((t) => !t.includes("_unscoped"))).toEqual(tables.filter((t) => t.endsWith("_hour")));
    });
    for (const scope of [{ policy: "strip" }, { node: "alpha" }]) {
      test(`${name} of ${JSON.stringify(scope)} reads the scoped tiers alone`, async () => {
        const tables = await tablesRead((db) => view(db, { ...window, ...scope }));
        expect(tables.length).toBeGreaterThan(0);
        expect(tables.filter((t) => t.includes("_unscoped"))).toEqual([]);
      });
    }
  }

  test("views grouped by policy, library or node read the scoped tiers alone, with no scope in their filter", async () => {
    for (const view of [(db: Db) => getPolicyStats(db, window), (db: Db) => getBreakdown(db, "node", window), (db: Db) => getBreakdown(db, "library", window), (db: Db) => listNodes(db, window)]) {
      const tables = await tablesRead(view);
      expect(tables.length).toBeGreaterThan(0);
      expect(tables.filter((t) => t.includes("_unscoped"))).toEqual([]);
    }
  });

  test("migration 012 fills the unscoped tiers from the scoped rows of a database that had none", async () => {
    // The database as it was before 012 (later migrations leave the four rollups as they are), then 012 run on it alone:
    // reopening would not run it again, and a later migration's full rebuild would fill the twins anyway.
    const handle = await openDatabase(await dialect.newLocation());
    try {
      await recordRuns(handle.db, RUNS);
      const expected = await rollupRows(handle.db);
      for (const base of ["stats_rollup", "codec_rollup", "metric_rollup", "phase_rollup"]) {
        for (const twin of ["_unscoped", "_unscoped_month"]) await handle.db.schema.dropTable(`${base}${twin}`).execute();
      }
      await handle.db.transaction().execute((trx) => unscopedRollups.up(trx, migrationContext(dialect.name)));
      expect(expected.dailyUnscoped.stats.length).toBeGreaterThan(0);
      expect(await rollupRows(handle.db)).toEqual(expected);
      expect(await rebuiltRollupRows(handle.db)).toEqual(expected);
    } finally {
      await handle.close();
    }
  });

  test("vpo db verify reports an unscoped row that disagrees with the runs", async () => {
    const handle = await openDatabase(await dialect.newLocation());
    try {
      await recordRuns(handle.db, RUNS);
      const unscoped = async () => (await verifyDatabase(handle)).checks.find((c) => c.name === "unscoped totals (views with no policy, library or node) agree with the runs")!;
      expect(await unscoped()).toMatchObject({ ok: true });
      await handle.db.updateTable("stats_rollup_unscoped_month").set({ runs: 99 }).where("day", "=", "2026-02-01").execute();
      expect(await unscoped()).toMatchObject({ ok: false, detail: expect.stringMatching(/^[1-9]\d* rollup rows differ from the runs$/) });
    } finally {
      await handle.close();
    }
  });
});
