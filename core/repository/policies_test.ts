import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Db } from "../db/handle.ts";
import { openTestDb } from "./_fixtures.ts";
import { getPolicy, getPolicyStats, policyStatsFrom } from "./policies.ts";
import type { PolicySort } from "./views.ts";
import { forEachDialect } from "../../tests/dialects.ts";

forEachDialect("policy stats", (dialect) => {
// Expected numbers are worked out by hand from the table in _fixtures.ts (work done: successful runs only).
let db: Db;
let close: () => Promise<void>;
beforeAll(async () => ({ db, close } = await openTestDb(dialect)));
afterAll(() => close());

const STRIP = {
  policy_name: "strip",
  files_processed: 4,
  success_rate: 0.75, // R5 was interrupted
  total_size_saved: 900,
  avg_savings_percent: expect.closeTo(17.307692, 5), // 900 / 5200
  audio_tracks_removed: 5,
  subtitle_tracks_removed: 7,
  attachments_removed: 2,
  videos_transcoded: 0,
  audio_transcoded: 0,
  avg_processing_time: 15, // (10 + 20 + 15) / 3; R5 reported none
  last_used: "2026-02-02T15:00:00.000Z",
};
const TRANSCODE = {
  policy_name: "transcode",
  files_processed: 4,
  success_rate: 0.75,
  total_size_saved: 4400,
  avg_savings_percent: expect.closeTo(62.857143, 5), // 4400 / 7000; R3 had no size after
  audio_tracks_removed: 1,
  subtitle_tracks_removed: 0,
  attachments_removed: 0,
  videos_transcoded: 3, // R3's failed attempt is not counted
  audio_transcoded: 4,
  avg_processing_time: 116.25,
  last_used: "2026-02-02T00:00:00.000Z",
};
const REMUX = {
  policy_name: "remux",
  files_processed: 2,
  success_rate: 0.5,
  total_size_saved: -100, // R4 grew by 100 bytes; R9 failed, so its sizes are not work done
  avg_savings_percent: -20, // -100 / 500
  audio_tracks_removed: 0,
  subtitle_tracks_removed: 0,
  attachments_removed: 0,
  videos_transcoded: 0,
  audio_transcoded: 0,
  avg_processing_time: 1.5,
  last_used: "2026-02-02T10:00:00.000Z",
};

describe("getPolicyStats", () => {
  test("gives one row per policy, most files first and ties by name", async () => {
    expect(await getPolicyStats(db)).toEqual([STRIP, TRANSCODE, REMUX]);
  });

  const jan31 = { since: "2026-01-31T00:00:00.000Z", until: "2026-02-01T00:00:00.000Z" }; // R3 transcode, R4 remux, R5 strip
  const orders: [PolicySort, string[]][] = [
    ["files", ["remux", "strip", "transcode"]], // one file each: by name
    ["savings", ["strip", "transcode", "remux"]], // 0, 0 (tie: by name), −100
    ["time", ["transcode", "remux", "strip"]], // 5 s, 2 s, none reported: last
  ];
  for (const [sort, expected] of orders) {
    test(`sort "${sort}" orders descending, ties by name, policies without timings last`, async () => {
      expect((await getPolicyStats(db, { ...jan31, sort })).map((p) => p.policy_name)).toEqual(expected);
    });
  }

  test("a window off midnight counts runs to the millisecond", async () => {
    // R4 at exactly 12:00 is in; R3 before it is out.
    const rows = await getPolicyStats(db, { since: "2026-01-31T12:00:00.000Z" });
    expect(rows.map((p) => [p.policy_name, p.files_processed])).toEqual([["strip", 3], ["remux", 2], ["transcode", 2]]);
  });

  test("rejects an unknown sort", async () => {
    await expect(getPolicyStats(db, { sort: "name" as PolicySort })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });
});

describe("getPolicy", () => {
  test("returns one policy's stats", async () => {
    expect(await getPolicy(db, "remux")).toEqual(REMUX);
  });

  test("applies the window", async () => {
    const p = await getPolicy(db, "transcode", { since: "2026-02-01T00:00:00.000Z" });
    expect(p).toMatchObject({ files_processed: 2, total_size_saved: 3600, avg_processing_time: 180, last_used: "2026-02-02T00:00:00.000Z" });
  });

  test("returns null for a policy that never ran, or not in the window", async () => {
    expect(await getPolicy(db, "nope")).toBeNull();
    expect(await getPolicy(db, "remux", { until: "2026-01-31T00:00:00.000Z" })).toBeNull();
  });
});

describe("policy stats from rollup and scan agree", () => {
  const filters = [{}, { since: "2026-01-31T00:00:00.000Z" }, { until: "2026-02-01T00:00:00.000Z", policy: "strip" }];
  for (const filter of filters) {
    test(`identical for ${JSON.stringify(filter)}`, async () => {
      expect(await policyStatsFrom(db, filter, "rollup")).toEqual(await policyStatsFrom(db, filter, "raw"));
    });
  }

  test("rollup days plus scanned edge days equal a full scan for a window off midnight", async () => {
    const filter = { since: "2026-01-30T12:00:00.000Z", until: "2026-02-02T12:00:00.000Z" };
    expect(await policyStatsFrom(db, filter, "auto")).toEqual(await policyStatsFrom(db, filter, "raw"));
  });
});
});
