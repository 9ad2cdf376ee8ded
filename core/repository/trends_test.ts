import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Db } from "../db/handle.ts";
import { openTestDb } from "./_fixtures.ts";
import { getTrends, isoWeek, trendsFrom } from "./trends.ts";
import type { TrendGroupBy } from "./views.ts";
import { forEachDialect } from "../../tests/dialects.ts";

forEachDialect("trends", (dialect) => {
// Expected numbers are worked out by hand from the table in _fixtures.ts (sizes: successful runs only).
let db: Db;
let close: () => Promise<void>;
beforeAll(async () => ({ db, close } = await openTestDb(dialect)));
afterAll(() => close());

const point = (period: string, files: number, ok: number, before: number, after: number) => ({
  period,
  files_processed: files,
  successes: ok,
  failures: files - ok,
  size_before: before,
  size_after: after,
  size_saved: before - after,
});

describe("isoWeek", () => {
  // Checked against GNU date: `date -u -d 2027-01-01 +%G-W%V` → 2026-W53.
  const calendar: [string, string][] = [
    ["2025-12-29", "2026-W01"], // Monday of week 1 lies in the previous calendar year
    ["2026-01-04", "2026-W01"],
    ["2026-01-05", "2026-W02"],
    ["2026-02-01", "2026-W05"],
    ["2026-02-02", "2026-W06"],
    ["2026-12-31", "2026-W53"],
    ["2027-01-01", "2026-W53"], // belongs to the week-year of its Thursday
    ["2027-01-03", "2026-W53"],
    ["2027-01-04", "2027-W01"],
    ["2024-12-30", "2025-W01"],
    ["2021-01-03", "2020-W53"],
  ];
  for (const [day, week] of calendar) {
    test(`${day} is in ${week}`, () => expect(isoWeek(day)).toBe(week));
  }
});

describe("getTrends", () => {
  test("by day gives one point per UTC day with runs, oldest first", async () => {
    expect(await getTrends(db, { groupBy: "day" })).toEqual([
      point("2026-01-30", 2, 2, 3000, 2000), // R2 at 23:59:59.999 still counts on the 30th
      point("2026-01-31", 3, 1, 500, 600), // only R4 has both sizes: the day grew
      point("2026-02-01", 2, 2, 7000, 3500),
      point("2026-02-02", 3, 2, 2200, 1400), // R9 failed: its sizes are not work done
    ]);
  });

  test("by ISO week puts Fri 01-30 … Sun 02-01 in W05 and Mon 02-02 in W06", async () => {
    expect(await getTrends(db, { groupBy: "week" })).toEqual([
      point("2026-W05", 7, 5, 10500, 6100),
      point("2026-W06", 3, 2, 2200, 1400),
    ]);
  });

  test("by month splits at the month boundary", async () => {
    expect(await getTrends(db, { groupBy: "month" })).toEqual([
      point("2026-01", 5, 3, 3500, 2600),
      point("2026-02", 5, 4, 9200, 4900),
    ]);
  });

  test("the policy filter keeps only that policy's runs", async () => {
    expect(await getTrends(db, { groupBy: "day", policy: "transcode" })).toEqual([
      point("2026-01-30", 1, 1, 2000, 1200),
      point("2026-01-31", 1, 0, 0, 0), // R3 failed with no size after
      point("2026-02-01", 1, 1, 4000, 1000),
      point("2026-02-02", 1, 1, 1000, 400),
    ]);
  });

  test("a window off midnight cuts the edge days to the millisecond", async () => {
    // R1 (08:00 on the 30th) is before since; R10 (15:00 on the 2nd) is after until.
    expect(await getTrends(db, { groupBy: "day", since: "2026-01-30T12:00:00.000Z", until: "2026-02-02T12:00:00.000Z" })).toEqual([
      point("2026-01-30", 1, 1, 2000, 1200),
      point("2026-01-31", 3, 1, 500, 600),
      point("2026-02-01", 2, 2, 7000, 3500),
      point("2026-02-02", 2, 1, 1000, 400),
    ]);
  });

  test("rejects an unknown grouping", async () => {
    await expect(getTrends(db, { groupBy: "year" as TrendGroupBy })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  for (const groupBy of ["day", "week", "month"] as const) {
    test(`by ${groupBy}, the rollup, the scan and rollup-plus-edges give identical points`, async () => {
      const filter = { groupBy, since: "2026-01-31T00:00:00.000Z", policy: "strip" };
      expect(await trendsFrom(db, filter, "rollup")).toEqual(await trendsFrom(db, filter, "raw"));
      expect(await trendsFrom(db, { groupBy }, "rollup")).toEqual(await trendsFrom(db, { groupBy }, "raw"));
      const offMidnight = { groupBy, since: "2026-01-30T12:00:00.000Z", until: "2026-02-02T12:00:00.000Z" };
      expect(await trendsFrom(db, offMidnight, "auto")).toEqual(await trendsFrom(db, offMidnight, "raw"));
    });
  }
});

describe("getTrends across a year boundary", () => {
  const at = (processed_at: string, success = true) => ({
    processed_at, success, file_path: `/m/${processed_at}.mkv`, policy_name: "strip", size_before: 100, size_after: 90,
  });
  let year: { db: Db; close(): Promise<void> };
  beforeAll(async () => {
    year = await openTestDb(dialect, [
      at("2026-12-28T12:00:00Z"), // Monday of 2026-W53
      at("2026-12-31T12:00:00Z", false),
      at("2027-01-01T00:00:00Z"),
      at("2027-01-03T23:59:59Z"), // Sunday: still 2026-W53
      at("2027-01-04T00:00:00Z"), // Monday: 2027-W01
    ]);
  });
  afterAll(() => year.close());

  test("by week, the first days of 2027 fall in 2026-W53", async () => {
    expect(await getTrends(year.db, { groupBy: "week" })).toEqual([point("2026-W53", 4, 3, 300, 270), point("2027-W01", 1, 1, 100, 90)]);
  });

  test("by month, they fall in 2027-01", async () => {
    expect(await getTrends(year.db, { groupBy: "month" })).toEqual([point("2026-12", 2, 1, 100, 90), point("2027-01", 3, 3, 300, 270)]);
  });
});
});
