import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Db, StatsSummary } from "../../core/mod.ts";
import { openTestDb } from "../../core/repository/_fixtures.ts";
import { forEachDialect } from "../../tests/dialects.ts";
import { compareSummaries, comparisonWindows, compareWindows } from "./compare.ts";
import { lastCompletePeriod, previousWindow } from "./period.ts";

describe("periods", () => {
  test("the last complete day, ISO week and month, and the one before each", () => {
    const now = new Date("2026-02-04T10:00:00Z"); // a Wednesday
    expect(lastCompletePeriod("day", now)).toEqual({ since: "2026-02-03T00:00:00.000Z", until: "2026-02-04T00:00:00.000Z", label: "2026-02-03" });
    const week = lastCompletePeriod("week", now);
    expect(week).toEqual({ since: "2026-01-26T00:00:00.000Z", until: "2026-02-02T00:00:00.000Z", label: "2026-W05" });
    expect(previousWindow(week, "week")).toEqual({ since: "2026-01-19T00:00:00.000Z", until: "2026-01-26T00:00:00.000Z", label: "2026-W04" });
    const month = lastCompletePeriod("month", new Date("2026-03-15T00:00:00Z"));
    expect(month).toEqual({ since: "2026-02-01T00:00:00.000Z", until: "2026-03-01T00:00:00.000Z", label: "2026-02" });
    expect(previousWindow(month, "month")).toEqual({ since: "2026-01-01T00:00:00.000Z", until: "2026-02-01T00:00:00.000Z", label: "2026-01" });
    expect(lastCompletePeriod("week", new Date("2026-02-02T00:00:00Z")).label).toBe("2026-W05"); // Monday midnight: last week is complete
    expect(previousWindow({ since: "2026-01-10T12:00:00.000Z", until: "2026-01-11T00:00:00.000Z" })).toEqual({ since: "2026-01-10T00:00:00.000Z", until: "2026-01-10T12:00:00.000Z", label: "2026-01-10" });
  });

  test("windows: --period, explicit windows, a default baseline of the same length; mixing them is refused", () => {
    const now = new Date("2026-02-04T10:00:00Z");
    expect(comparisonWindows({ period: "week" }, now).baseline.label).toBe("2026-W04");
    const w = comparisonWindows({ since: "2026-01-10", until: "2026-01-16" }, now);
    expect([w.current.since, w.current.until, w.baseline.since, w.baseline.until]).toEqual([
      "2026-01-10T00:00:00.000Z", "2026-01-17T00:00:00.000Z", "2026-01-03T00:00:00.000Z", "2026-01-10T00:00:00.000Z",
    ]);
    expect(() => comparisonWindows({ period: "week", since: "7d" }, now)).toThrow("Give either --period or windows");
    expect(() => comparisonWindows({ since: "7d" }, now)).toThrow("needs both --since and --until");
  });

  test("windows at the calendar's ends are refused saying why, not failing with Invalid Date or inside a view", () => {
    const now = new Date("2026-02-04T10:00:00Z");
    // --until 9999-12-31 ends at the year 10000, which no window can hold.
    expect(() => comparisonWindows({ since: "2026-01-01", until: "9999-12-31" }, now)).toThrow('Invalid until "9999-12-31": a window ends before the year 10000');
    expect(() => comparisonWindows({ since: "2026-01-01", until: "2026-01-02", toSince: "2025-01-01", toUntil: "9999-12-31" }, now)).toThrow("a window ends before the year 10000");
    expect(() => comparisonWindows({ since: "0001-01-01", until: "2026-01-01" }, now)).toThrow(
      "The window before 0001-01-01 → 2026-01-01 would start before the year 0001: give the one to compare with (--to-since and --to-until)",
    );
    expect(comparisonWindows({ since: "1500-01-01", until: "2026-01-01" }, now).baseline.since).toMatch(/^\d{4}-/);
  });
});

test("deltas: exact for byte totals beyond 2^53, % against the baseline, none for instants or a zero baseline", () => {
  const base = { total_files_processed: 4, total_size_saved: 2n ** 60n, avg_processing_time: 10, earliest_processing: "2026-01-01T00:00:00.000Z", total_audio_removed: 0 } as unknown as StatsSummary;
  const cur = { total_files_processed: 5, total_size_saved: 2n ** 60n + 3n, avg_processing_time: 7.5, earliest_processing: "2026-01-08T00:00:00.000Z", total_audio_removed: 3 } as unknown as StatsSummary;
  expect(compareSummaries(cur, base)).toEqual([
    { field: "total_files_processed", current: 5, baseline: 4, change: 1, change_percent: 25 },
    { field: "total_size_saved", current: 2n ** 60n + 3n, baseline: 2n ** 60n, change: 3, change_percent: 0 },
    { field: "avg_processing_time", current: 7.5, baseline: 10, change: -2.5, change_percent: -25 },
    { field: "earliest_processing", current: "2026-01-08T00:00:00.000Z", baseline: "2026-01-01T00:00:00.000Z", change: null, change_percent: null },
    { field: "total_audio_removed", current: 3, baseline: 0, change: 3, change_percent: null },
  ]);
});

forEachDialect("compareWindows", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await openTestDb(dialect)));
  afterAll(() => close());

  test("January 31st against the 30th, worked out by hand from the fixture runs", async () => {
    const c = await compareWindows(db, comparisonWindows({ since: "2026-01-31", until: "2026-01-31" }), {});
    expect(c.baseline.label).toBe("2026-01-30");
    const f = Object.fromEntries(c.fields.map((x) => [x.field, [x.current, x.baseline, x.change, x.change_percent]]));
    expect(f.total_files_processed).toEqual([3, 2, 1, 50]); // R3 R4 R5 vs R1 R2
    expect(f.total_successful).toEqual([1, 2, -1, -50]);
    expect(f.total_failed).toEqual([2, 0, 2, null]);
    expect(f.total_size_before).toEqual([500, 3000, -2500, -83.3333]);
    expect(f.total_size_saved).toEqual([-100, 1000, -1100, -110]);
    expect(f.avg_processing_time).toEqual([3.5, 55, -51.5, -93.6364]);
    expect(f.hardware_encodes).toEqual([0, 1, -1, -100]);
  });
});
