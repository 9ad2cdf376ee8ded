import { afterAll, beforeAll, expect, test } from "bun:test";
import type { KyselyPlugin } from "kysely";
import { forEachDialect } from "../../tests/dialects.ts";
import type { Db } from "../db/handle.ts";
import { openTestDb, RUNS } from "./_fixtures.ts";
import { getBreakdown } from "./breakdown.ts";
import { applyRetention } from "./retention.ts";
import { getPolicyStats, policyStatsFrom } from "./policies.ts";
import { getSummary, summaryFrom } from "./summary.ts";
import { getTrends } from "./trends.ts";

/**
 * A stats view reads every part of its window (months, days, hours, edge runs, complements, the
 * retention horizon, and the instants of the keys a complemented edge hour reduced) in one
 * statement: on PostgreSQL each statement is a round trip and a planning, which cost more than
 * running the parts.
 */
forEachDialect("statements per stats view", (dialect) => {
  let db: Db;
  let counted: Db;
  let close: () => Promise<void>;
  let statements = 0;
  // Called once per statement executed through `counted` (the SET and RESET around a generic
  // plan are sent by the connection itself, generic_plan.ts, in the same round trip).
  const counter: KyselyPlugin = {
    transformQuery: ({ node }) => node,
    transformResult: async ({ result }) => {
      statements++;
      return result;
    },
  };
  beforeAll(async () => {
    // A second run in R1's hour: a window from just after R1 reduces that hour's key, not drops it.
    const r11 = { ...RUNS[0]!, id: "c0ffee11-0000-4000-8000-000000000011", processed_at: "2026-01-30T08:30:00Z" };
    ({ db, close } = await openTestDb(dialect, [...RUNS, r11]));
    counted = db.withPlugin(counter);
  });
  afterAll(() => close());

  const count = async (view: (db: Db) => Promise<unknown>) => {
    statements = 0;
    await view(counted);
    return statements;
  };

  // Off midnight at both ends: edge runs, edge hours and whole days; the second also complements
  // its first hour (08:00:00.001 covers most of it) and its first day (from 01:00).
  const windows = {
    "off midnight": { since: "2026-01-30T13:37:00.000Z", until: "2026-02-02T09:15:00.000Z" },
    "just after an hour": { since: "2026-01-30T08:00:00.001Z", until: "2026-02-02T15:30:00.000Z" },
    "just after a midnight": { since: "2026-01-31T01:00:00.000Z" },
  };

  for (const [name, window] of Object.entries(windows)) {
    test(`the summary over a window ${name} is one statement`, async () => {
      expect(await count((db) => getSummary(db, window))).toBe(1);
    });
    test(`policies, trends by day, nodes and libraries over a window ${name} are one statement each`, async () => {
      expect(await count((db) => getPolicyStats(db, window))).toBe(1);
      expect(await count((db) => getTrends(db, { ...window, groupBy: "day" }))).toBe(1);
      expect(await count((db) => getBreakdown(db, "node", window))).toBe(1);
      expect(await count((db) => getBreakdown(db, "library", window))).toBe(1);
    });
  }

  test("a complemented edge hour whose key was reduced finds that key's first run in the same statement, exactly", async () => {
    const window = windows["just after an hour"];
    expect(await count((db) => policyStatsFrom(db, window, "auto"))).toBe(1);
    expect(await policyStatsFrom(db, window, "auto")).toEqual(await policyStatsFrom(db, window, "raw"));
  });

  test("a window widened by the retention horizon reads its parts again, once: two statements, the same totals as the rollup's whole days", async () => {
    await applyRetention(db, { runsBefore: "2026-01-31T00:00:00.000Z" });
    const window = { since: "2026-01-30T13:37:00.000Z", until: "2026-02-02T09:15:00.000Z" };
    expect(await count((db) => getSummary(db, window))).toBe(2);
    expect(await getSummary(db, window)).toEqual(await summaryFrom(db, { ...window, since: "2026-01-30T00:00:00.000Z" }, "auto"));
  });
});
