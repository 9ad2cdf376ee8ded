import { describe, expect, test } from "bun:test";
import { isDayAligned, normalizeRange, splitRange } from "./_filters.ts";

describe("splitRange", () => {
  test("an open window is one month-tier part; a short midnight-aligned one one daily part", () => {
    expect(splitRange({})).toEqual([{ range: { since: undefined, until: undefined }, source: "month" }]);
    expect(splitRange({}, { months: false })).toEqual([{ range: { since: undefined, until: undefined }, source: "rollup" }]);
    const aligned = { since: "2026-01-31T00:00:00.000Z", until: "2026-02-02T00:00:00.000Z" };
    expect(splitRange(aligned)).toEqual([{ range: aligned, source: "rollup" }]);
  });

  test("bounds off midnight become scanned edge days around the whole days", () => {
    expect(splitRange({ since: "2026-01-30T12:00:00.000Z", until: "2026-02-02T06:00:00.000Z" })).toEqual([
      { range: { since: "2026-01-30T12:00:00.000Z", until: "2026-01-31T00:00:00.000Z" }, source: "raw" },
      { range: { since: "2026-01-31T00:00:00.000Z", until: "2026-02-02T00:00:00.000Z" }, source: "rollup" },
      { range: { since: "2026-02-02T00:00:00.000Z", until: "2026-02-02T06:00:00.000Z" }, source: "raw" },
    ]);
  });

  test("whole months come from the month tier, the days of the edge months from the daily rollups", () => {
    expect(splitRange({ since: "2025-11-15T08:00:00.000Z", until: "2026-02-03T00:00:00.000Z" })).toEqual([
      { range: { since: "2025-11-15T08:00:00.000Z", until: "2025-11-16T00:00:00.000Z" }, source: "raw" },
      { range: { since: "2025-11-16T00:00:00.000Z", until: "2025-12-01T00:00:00.000Z" }, source: "rollup" },
      { range: { since: "2025-12-01T00:00:00.000Z", until: "2026-02-01T00:00:00.000Z" }, source: "month" },
      { range: { since: "2026-02-01T00:00:00.000Z", until: "2026-02-03T00:00:00.000Z" }, source: "rollup" },
    ]);
    expect(splitRange({ until: "2026-02-01T00:00:00.000Z" })).toEqual([{ range: { since: undefined, until: "2026-02-01T00:00:00.000Z" }, source: "month" }]);
    expect(splitRange({ since: "2025-12-31T00:00:00.000Z" })).toEqual([
      { range: { since: "2025-12-31T00:00:00.000Z", until: "2026-01-01T00:00:00.000Z" }, source: "rollup" },
      { range: { since: "2026-01-01T00:00:00.000Z", until: undefined }, source: "month" },
    ]);
  });

  test("a window holding no whole day is a single scan", () => {
    const range = { since: "2026-01-30T12:00:00.000Z", until: "2026-01-31T12:00:00.000Z" };
    expect(splitRange(range)).toEqual([{ range, source: "raw" }]);
  });
});

describe("normalizeRange", () => {
  test("re-serialises bounds in the stored processed_at form and recognises midnights", () => {
    const range = normalizeRange({ since: "2026-01-31T01:00:00+01:00", until: "2026-02-01T00:00:00Z" });
    expect(range).toEqual({ since: "2026-01-31T00:00:00.000Z", until: "2026-02-01T00:00:00.000Z" });
    expect(isDayAligned(range)).toBe(true);
    expect(isDayAligned({ since: "2026-01-31T00:00:00.001Z" })).toBe(false);
  });
});
