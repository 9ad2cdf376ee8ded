import { describe, expect, test } from "bun:test";
import { isDayAligned, normalizeRange, splitRange } from "./_filters.ts";

describe("splitRange", () => {
  test("an open or midnight-aligned window is one rollup part", () => {
    expect(splitRange({})).toEqual([{ range: { since: undefined, until: undefined }, source: "rollup" }]);
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
