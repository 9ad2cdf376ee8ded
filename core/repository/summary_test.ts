import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { forEachDialect } from "../../tests/dialects.ts";
import type { Db } from "../db/handle.ts";
import { MAX_BYTES } from "../record/mod.ts";
import { openTestDb, RUNS } from "./_fixtures.ts";
import { getSummary, summaryFrom } from "./summary.ts";

// Expected numbers are worked out by hand from the table in _fixtures.ts. Work done (sizes, tracks,
// transcodes, encoders) counts successful runs only; runs and time count every run.
forEachDialect("stats summary", (dialect) => {
let db: Db;
let close: () => Promise<void>;
beforeAll(async () => ({ db, close } = await openTestDb(dialect)));
afterAll(() => close());

describe("getSummary", () => {
  test("runs count every outcome (interrupted as failed); work counts successful runs, sizes where both are known", async () => {
    expect(await getSummary(db)).toEqual({
      total_files_processed: 10,
      total_successful: 7,
      total_failed: 3,
      total_interrupted: 1,
      success_rate: 0.7,
      total_size_before: 12700, // R9 failed: its 800 → 800 is not work done
      total_size_after: 7500,
      total_size_saved: 5200,
      avg_savings_percent: expect.closeTo(40.944882, 5), // 5200 / 12700
      total_audio_removed: 6,
      total_subtitles_removed: 7,
      total_attachments_removed: 2,
      total_videos_transcoded: 3, // R3's attempted transcode failed
      total_videos_skipped: 4,
      total_audio_transcoded: 4,
      avg_processing_time: 57, // 513 s over the 9 runs that reported a duration
      total_processing_time: 513,
      earliest_processing: "2026-01-30T08:00:00.000Z",
      latest_processing: "2026-02-02T15:00:00.000Z",
      hardware_encodes: 2,
      software_encodes: 1,
    });
  });

  test("a whole-day window includes a run exactly at since and excludes one exactly at until", async () => {
    // R3 is at 2026-01-31T00:00:00Z (kept), R8 at 2026-02-02T00:00:00Z (dropped): R3…R7.
    expect(await getSummary(db, { since: "2026-01-31T00:00:00.000Z", until: "2026-02-02T00:00:00.000Z" })).toEqual({
      total_files_processed: 5,
      total_successful: 3,
      total_failed: 2,
      total_interrupted: 1,
      success_rate: 0.6,
      total_size_before: 7500,
      total_size_after: 4100,
      total_size_saved: 3400,
      avg_savings_percent: expect.closeTo(45.333333, 5),
      total_audio_removed: 3,
      total_subtitles_removed: 2,
      total_attachments_removed: 0,
      total_videos_transcoded: 1,
      total_videos_skipped: 2,
      total_audio_transcoded: 1,
      avg_processing_time: 81.75,
      total_processing_time: 327,
      earliest_processing: "2026-01-31T00:00:00.000Z",
      latest_processing: "2026-02-01T23:00:00.000Z",
      hardware_encodes: 1,
      software_encodes: 0,
    });
  });

  test("a window off midnight is exact to the millisecond at both ends", async () => {
    // since R2's instant (kept); until 1 ms after R8 (kept): R2…R8.
    expect(await getSummary(db, { since: "2026-01-30T23:59:59.999Z", until: "2026-02-02T00:00:00.001Z" })).toEqual({
      total_files_processed: 7,
      total_successful: 5,
      total_failed: 2,
      total_interrupted: 1,
      success_rate: expect.closeTo(5 / 7, 10),
      total_size_before: 10500,
      total_size_after: 5700,
      total_size_saved: 4800,
      avg_savings_percent: expect.closeTo(45.714286, 5),
      total_audio_removed: 3,
      total_subtitles_removed: 2,
      total_attachments_removed: 0,
      total_videos_transcoded: 3,
      total_videos_skipped: 2,
      total_audio_transcoded: 4,
      avg_processing_time: 81.167, // 487 / 6, to the millisecond
      total_processing_time: 487,
      earliest_processing: "2026-01-30T23:59:59.999Z",
      latest_processing: "2026-02-02T00:00:00.000Z",
      hardware_encodes: 2,
      software_encodes: 1,
    });
  });

  test("the policy filter keeps only that policy's runs", async () => {
    expect(await getSummary(db, { policy: "transcode" })).toEqual({
      total_files_processed: 4,
      total_successful: 3,
      total_failed: 1,
      total_interrupted: 0,
      success_rate: 0.75,
      total_size_before: 7000,
      total_size_after: 2600,
      total_size_saved: 4400,
      avg_savings_percent: expect.closeTo(62.857143, 5),
      total_audio_removed: 1,
      total_subtitles_removed: 0,
      total_attachments_removed: 0,
      total_videos_transcoded: 3,
      total_videos_skipped: 0,
      total_audio_transcoded: 4,
      avg_processing_time: 116.25,
      total_processing_time: 465,
      earliest_processing: "2026-01-30T23:59:59.999Z",
      latest_processing: "2026-02-02T00:00:00.000Z",
      hardware_encodes: 2,
      software_encodes: 1,
    });
  });

  test("no runs in the window gives zeros, a 0 rate and null times", async () => {
    const s = await getSummary(db, { since: "2030-01-01T00:00:00.000Z" });
    expect(s).toMatchObject({ total_files_processed: 0, success_rate: 0, avg_savings_percent: 0, total_size_saved: 0 });
    expect(s).toMatchObject({ avg_processing_time: null, total_processing_time: 0, earliest_processing: null, latest_processing: null });
  });

  test("whole days inside any window come from stats_rollup, partial edge days from the runs (or, covering most of their day, from its row less the runs of the rest)", async () => {
    // Skew the rollup on purpose (the day's remux row and its unscoped twin alike): only a query that reads that day's rollup row can see it.
    const skew = async (delta: number) => {
      await db.updateTable("stats_rollup").set((eb) => ({ runs: eb("runs", "+", delta) })).where("day", "=", "2026-01-31").where("policy_name", "=", "remux").execute();
      await db.updateTable("stats_rollup_unscoped").set((eb) => ({ runs: eb("runs", "+", delta) })).where("day", "=", "2026-01-31").execute();
    };
    await skew(999);
    try {
      expect((await getSummary(db, { since: "2026-01-31T00:00:00.000Z" })).total_files_processed).toBe(8 + 999); // R3…R10, R4 ×1000
      expect((await getSummary(db, { since: "2026-01-30T12:00:00.000Z" })).total_files_processed).toBe(9 + 999); // 01-31 is a whole day
      // 01-31 is an edge covering all but its first millisecond: its (skewed) row less the one run at midnight.
      expect((await getSummary(db, { since: "2026-01-31T00:00:00.001Z" })).total_files_processed).toBe(8 + 999 - 1);
      // Edges covering less than half of 01-31: scanned, the skew unseen.
      for (const window of [{ since: "2026-01-31T18:00:00.000Z" }, { since: "2026-01-30T00:00:00.000Z", until: "2026-01-31T06:00:00.000Z" }]) {
        expect((await getSummary(db, window)).total_files_processed).toBe((await summaryFrom(db, window, "raw")).total_files_processed);
      }
    } finally {
      await skew(-999);
    }
  });

  test("an unparseable bound is rejected as INVALID_ARGUMENT", async () => {
    await expect(getSummary(db, { since: "last tuesday" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });
});

describe("rollup and scan agree", () => {
  const filters = [
    {},
    { since: "2026-01-31T00:00:00.000Z", until: "2026-02-02T00:00:00.000Z" },
    { policy: "strip" },
    { since: "2026-02-01T00:00:00.000Z", policy: "transcode" },
    { until: "2026-01-31T00:00:00.000Z" },
    { since: "2030-01-01T00:00:00.000Z" },
  ];
  for (const filter of filters) {
    test(`summary is identical from stats_rollup and from processing_stats for ${JSON.stringify(filter)}`, async () => {
      expect(await summaryFrom(db, filter, "rollup")).toEqual(await summaryFrom(db, filter, "raw"));
    });
  }

  const offMidnight = [
    { since: "2026-01-30T12:00:00.000Z" },
    { until: "2026-02-01T23:30:00.000Z", policy: "transcode" },
    { since: "2026-01-30T23:59:59.999Z", until: "2026-02-02T00:00:00.001Z" },
    { since: "2026-01-31T06:00:00.000Z", until: "2026-01-31T20:00:00.000Z" }, // no whole day inside
    { since: "2026-01-30T12:00:00.000Z", until: "2026-01-31T12:00:00.000Z" }, // two edges, no whole day
  ];
  for (const filter of offMidnight) {
    test(`rollup days plus scanned edges equal a full scan for ${JSON.stringify(filter)}`, async () => {
      expect(await summaryFrom(db, filter, "auto")).toEqual(await summaryFrom(db, filter, "raw"));
    });
  }

  test("byte totals beyond 2^53 stay exact, from the rollup and from a scan", async () => {
    // 9,007 runs of 1 PiB − 1 exceed 2^63 bytes in all: a plain 64-bit sum would overflow.
    const runs = Array.from({ length: 9_007 }, (_, i) => ({
      file_path: `/m/${i}.mkv`, processed_at: `2026-03-0${1 + (i % 3)}T12:00:00Z`, policy_name: "huge", success: true,
      size_before: MAX_BYTES, size_after: MAX_BYTES - 1 - (i % 2),
    }));
    const other = await openTestDb(dialect, []);
    try {
      const { recordRuns } = await import("./record.ts");
      await recordRuns(other.db, runs);
      const expected = { before: BigInt(MAX_BYTES) * 9007n, after: (BigInt(MAX_BYTES) - 1n) * 9007n - 4503n };
      for (const source of ["rollup", "raw", "auto"] as const) {
        const s = await summaryFrom(other.db, {}, source);
        expect([s.total_size_before, s.total_size_after, s.total_size_saved]).toEqual([expected.before, expected.after, 13510]); // small totals are plain numbers
      }
    } finally {
      await other.close();
    }
  });

  test("durations that are inexact in binary still agree once summed in a different order", async () => {
    const durations = [0.1, 0.2, 0.7, 1.3, 2.9, 0.3, 11.11];
    const runs = durations.map((duration_seconds, i) => ({
      ...RUNS[0]!, id: undefined, actions: [], phases: [], plugin_metrics: {}, duration_seconds,
      processed_at: `2026-03-0${1 + (i % 3)}T0${i}:00:00Z`,
    }));
    const other = await openTestDb(dialect, runs);
    try {
      const rollup = await summaryFrom(other.db, {}, "rollup");
      expect(rollup).toEqual(await summaryFrom(other.db, {}, "raw"));
      expect(rollup.total_processing_time).toBe(16.61);
      expect(rollup.avg_processing_time).toBe(2.373); // 16.61 / 7 = 2.37285…
    } finally {
      await other.close();
    }
  });
});
});
