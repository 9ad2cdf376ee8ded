import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Db } from "../db/handle.ts";
import { openTestDb } from "./_fixtures.ts";
import { getMetricAggregates } from "./metrics.ts";
import { forEachDialect } from "../../tests/dialects.ts";

forEachDialect("metric aggregates", (dialect) => {
// Stored metrics (from _fixtures.ts): size.bytes_saved 200 (R1), 800 (R2), −100 (R4), 3000 (R7);
// hash.algo "sha256" (R1, R2); transcode.fps 48.5 (R7), 30.5 (R8); transcode.codec "hevc" (R7), "h264" (R8).
let db: Db;
let close: () => Promise<void>;
beforeAll(async () => ({ db, close } = await openTestDb(dialect)));
afterAll(() => close());

const text = (plugin: string, key: string, count: number) => ({ plugin, key, count, sum: null, avg: null, min: null, max: null });

describe("getMetricAggregates", () => {
  test("aggregates numbers per (plugin, key), counts text-only keys, sorted by plugin then key", async () => {
    expect(await getMetricAggregates(db)).toEqual([
      text("hash", "algo", 2),
      { plugin: "size", key: "bytes_saved", count: 4, sum: 3900, avg: 975, min: -100, max: 3000 },
      text("transcode", "codec", 2),
      { plugin: "transcode", key: "fps", count: 2, sum: 79, avg: 39.5, min: 30.5, max: 48.5 },
    ]);
  });

  test("filters by plugin and by key", async () => {
    expect((await getMetricAggregates(db, { plugin: "transcode" })).map((m) => m.key)).toEqual(["codec", "fps"]);
    expect(await getMetricAggregates(db, { plugin: "transcode", key: "fps" })).toHaveLength(1);
    expect(await getMetricAggregates(db, { key: "nope" })).toEqual([]);
  });

  test("the window applies to the run's processed_at, since inclusive and until exclusive", async () => {
    // since R7 (2026-02-01T23:00) inclusive, until R8 (2026-02-02T00:00) exclusive: R7 only.
    expect(await getMetricAggregates(db, { since: "2026-02-01T23:00:00.000Z", until: "2026-02-02T00:00:00.000Z" })).toEqual([
      { plugin: "size", key: "bytes_saved", count: 1, sum: 3000, avg: 3000, min: 3000, max: 3000 },
      text("transcode", "codec", 1),
      { plugin: "transcode", key: "fps", count: 1, sum: 48.5, avg: 48.5, min: 48.5, max: 48.5 },
    ]);
  });

  test("a key that held both numbers and text aggregates only its numbers; booleans count as 1/0", async () => {
    const base = { processed_at: "2026-05-01T00:00:00Z", policy_name: "p", file_path: "/m/x.mkv", success: true };
    const other = await openTestDb(dialect, [
      { ...base, plugin_metrics: { custom: { mode: "fast", hw: true } } },
      { ...base, plugin_metrics: { custom: { mode: 2, hw: false } } },
      { ...base, plugin_metrics: { custom: { mode: 4, hw: true } } },
    ]);
    try {
      expect(await getMetricAggregates(other.db, { plugin: "custom" })).toEqual([
        { plugin: "custom", key: "hw", count: 3, sum: 2, avg: expect.closeTo(2 / 3, 10), min: 0, max: 1 },
        { plugin: "custom", key: "mode", count: 2, sum: 6, avg: 3, min: 2, max: 4 },
      ]);
    } finally {
      await other.close();
    }
  });
});
});
