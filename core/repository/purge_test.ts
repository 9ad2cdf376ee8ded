import { describe, expect, test } from "bun:test";
import { sql } from "kysely";
import type { Db } from "../db/handle.ts";
import { ID, openTestDb } from "./_fixtures.ts";
import { metricRows } from "./_metric_rows.ts";
import { policyStatsFrom } from "./policies.ts";
import { purgeRuns } from "./purge.ts";
import { recordRun } from "./record.ts";
import { summaryFrom } from "./summary.ts";
import { trendsFrom } from "./trends.ts";
import type { PurgeCounts, PurgeOptions } from "./views.ts";
import { forEachDialect } from "../../tests/dialects.ts";

forEachDialect("purge", (dialect) => {
// Child rows per run (from _fixtures.ts), as actions/phases/metrics/errors:
// R1 2/1/2/0  R2 1/2/2/0  R3 1/1/0/1  R4 0/0/1/0  R5 0/0/0/1  R6 2/0/0/0  R7 1/2/3/0  R8 1/2/2/0  R9 0  R10 1/1/0/0
const TOTAL: PurgeCounts = { processing_stats: 10, action_results: 9, performance_metrics: 9, plugin_metrics: 10, plugin_errors: 2 };
const TABLES = Object.keys(TOTAL) as (keyof PurgeCounts)[];

async function tableCounts(db: Db): Promise<PurgeCounts> {
  const counts = {} as PurgeCounts;
  for (const t of TABLES) {
    // Metrics one by one, as a purge counts them (a run keeps all of its in one row).
    const from = t === "plugin_metrics" ? metricRows(db) : t;
    const row = await db.selectFrom(from as "action_results").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    counts[t] = Number(row.n);
  }
  return counts;
}

const remainingIds = async (db: Db) => (await db.selectFrom("processing_stats").select("id").orderBy("id").execute()).map((r) => r.id);
const dailyRows = (db: Db) => db.selectFrom("stats_rollup").selectAll().orderBy("day").orderBy("policy_name").orderBy("library").orderBy("node").execute();

async function expectRollupExact(db: Db) {
  for (const filter of [{}, { policy: "strip" }, { since: "2026-01-31T00:00:00.000Z" }]) {
    expect(await summaryFrom(db, filter, "rollup")).toEqual(await summaryFrom(db, filter, "raw"));
    expect(await policyStatsFrom(db, filter, "rollup")).toEqual(await policyStatsFrom(db, filter, "raw"));
    expect(await trendsFrom(db, { ...filter, groupBy: "day" }, "rollup")).toEqual(await trendsFrom(db, { ...filter, groupBy: "day" }, "raw"));
  }
}

const CASES: { name: string; options: PurgeOptions; counts: PurgeCounts; kept: string[]; files: number; saved: number }[] = [
  {
    name: "before 2026-01-31T12:00Z deletes R1–R3 and keeps R4, exactly at the bound",
    options: { before: "2026-01-31T12:00:00.000Z" },
    counts: { processing_stats: 3, action_results: 4, performance_metrics: 4, plugin_metrics: 4, plugin_errors: 1 },
    kept: [ID.R4, ID.R5, ID.R6, ID.R7, ID.R8, ID.R9, ID.R10],
    files: 7,
    saved: 4200,
  },
  {
    name: "policy transcode deletes R2, R3, R7, R8",
    options: { policy: "transcode" },
    counts: { processing_stats: 4, action_results: 4, performance_metrics: 7, plugin_metrics: 7, plugin_errors: 1 },
    kept: [ID.R1, ID.R4, ID.R5, ID.R6, ID.R9, ID.R10],
    files: 6,
    saved: 800,
  },
  {
    name: "before 2026-02-01 and policy strip deletes only strip runs before it (R1, R5)",
    options: { before: "2026-02-01T00:00:00.000Z", policy: "strip" },
    counts: { processing_stats: 2, action_results: 2, performance_metrics: 1, plugin_metrics: 2, plugin_errors: 1 },
    kept: [ID.R2, ID.R3, ID.R4, ID.R6, ID.R7, ID.R8, ID.R9, ID.R10],
    files: 8,
    saved: 5000,
  },
  {
    name: "all deletes every run",
    options: { all: true },
    counts: TOTAL,
    kept: [],
    files: 0,
    saved: 0,
  },
];

describe("purgeRuns", () => {
  for (const c of CASES) {
    test(`${c.name}: counts every table, deletes them with their children, keeps the rollup exact`, async () => {
      const { db, close } = await openTestDb(dialect);
      try {
        expect(await purgeRuns(db, c.options)).toEqual(c.counts);
        expect(await remainingIds(db)).toEqual([...c.kept].sort());
        const left = await tableCounts(db);
        for (const t of TABLES) expect(left[t]).toBe(TOTAL[t] - c.counts[t]);
        const summary = await summaryFrom(db, {}, "rollup");
        expect([summary.total_files_processed, summary.total_size_saved]).toEqual([c.files, c.saved]);
        await expectRollupExact(db);
      } finally {
        await close();
      }
    });

    test(`${c.name}, as a dry run: reports the same counts and deletes nothing`, async () => {
      const { db, close } = await openTestDb(dialect);
      try {
        const rollup = await dailyRows(db);
        expect(await purgeRuns(db, { ...c.options, dryRun: true })).toEqual(c.counts);
        expect(await tableCounts(db)).toEqual(TOTAL);
        expect(await dailyRows(db)).toEqual(rollup);
      } finally {
        await close();
      }
    });
  }

  test("purge --before keeps the boundary day's later runs in the rollup, and later recording adds to them", async () => {
    const { db, close } = await openTestDb(dialect);
    try {
      await purgeRuns(db, { before: "2026-01-31T12:00:00.000Z" });
      // Byte sums are split (hi × 2^24 + lo); these are small enough to live in lo alone.
      const rows = (await dailyRows(db)).map((r) => [r.day, r.policy_name, Number(r.runs), Number(r.size_before_lo) - Number(r.size_after_lo), r.first_at]);
      expect(rows.slice(0, 2)).toEqual([
        ["2026-01-31", "remux", 1, -100, "2026-01-31T12:00:00.000Z"],
        ["2026-01-31", "strip", 1, 0, "2026-01-31T18:30:00.000Z"],
      ]);
      expect(rows).toHaveLength(7); // 01-31 ×2, 02-01 ×2, 02-02 ×3; nothing left of 01-30 or 01-31/transcode
      await recordRun(db, { processed_at: "2026-01-31T20:00:00Z", policy_name: "remux", file_path: "/m/n.mkv", success: true, size_before: 10, size_after: 4 });
      await expectRollupExact(db);
    } finally {
      await close();
    }
  });

  test("a purge matching nothing returns zeros and leaves the rollup alone", async () => {
    const { db, close } = await openTestDb(dialect);
    try {
      const rollup = await dailyRows(db);
      expect(await purgeRuns(db, { before: "2020-01-01T00:00:00.000Z" })).toEqual({
        processing_stats: 0, action_results: 0, performance_metrics: 0, plugin_metrics: 0, plugin_errors: 0,
      });
      expect(await dailyRows(db)).toEqual(rollup);
    } finally {
      await close();
    }
  });

  test("a purge that fails part-way deletes nothing: runs, children and rollup are one transaction", async () => {
    const { db, close } = await openTestDb(dialect);
    try {
      if (dialect.name === "sqlite") {
        await sql`CREATE TRIGGER fail_rollup BEFORE DELETE ON stats_rollup BEGIN SELECT RAISE(ABORT, 'simulated failure'); END`.execute(db);
      } else {
        await sql`CREATE FUNCTION fail_rollup() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'simulated failure'; END $$ LANGUAGE plpgsql`.execute(db);
        await sql`CREATE TRIGGER fail_rollup BEFORE DELETE ON stats_rollup FOR EACH ROW EXECUTE FUNCTION fail_rollup()`.execute(db);
      }
      const rollup = await dailyRows(db);
      await expect(purgeRuns(db, { policy: "strip" })).rejects.toThrow("simulated failure");
      expect(await tableCounts(db)).toEqual(TOTAL);
      expect(await dailyRows(db)).toEqual(rollup);
    } finally {
      await close();
    }
  });

  test("refuses to purge without a cutoff, a policy or all, or with all and another criterion", async () => {
    const { db, close } = await openTestDb(dialect, []);
    try {
      for (const options of [{}, { dryRun: true }, { all: true, policy: "strip" }, { all: true, before: "2026-01-01T00:00:00.000Z" }, { policy: " " }]) {
        await expect(purgeRuns(db, options)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      }
      await expect(purgeRuns(db, { before: "yesterday" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    } finally {
      await close();
    }
  });
});
});
