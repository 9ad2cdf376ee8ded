import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { CompiledQuery } from "kysely";
import type { Db } from "../db/handle.ts";
import { ID, openTestDb } from "./_fixtures.ts";
import { findFile, getFileHistory, getRecentRuns, recentRunsQuery } from "./runs.ts";
import { forEachDialect } from "../../tests/dialects.ts";

forEachDialect("recent runs and file history", (dialect) => {
let db: Db;
let close: () => Promise<void>;
beforeAll(async () => ({ db, close } = await openTestDb(dialect)));
afterAll(() => close());

const A = "/media/movies/a.mkv";

describe("getRecentRuns", () => {
  test("lists runs newest first", async () => {
    const runs = await getRecentRuns(db);
    expect(runs.map((r) => r.stats_id)).toEqual([ID.R10, ID.R9, ID.R8, ID.R7, ID.R6, ID.R5, ID.R4, ID.R3, ID.R2, ID.R1]);
  });

  test("returns the history fields plus path, status and video outcome, flags as booleans", async () => {
    const [r10, r9, r8] = await getRecentRuns(db, { limit: 3 });
    expect(r9).toEqual({
      stats_id: ID.R9,
      processed_at: "2026-02-02T10:00:00.000Z",
      policy_name: "remux",
      size_before: 800,
      size_after: 800,
      size_change: 0,
      audio_removed: null,
      subtitle_removed: null,
      attachments_removed: null,
      duration_seconds: 1,
      success: false,
      error_message: "container not supported",
      encoder_type: null,
      file_path: "/media/movies/g.avi",
      status: "failed",
      video_source_codec: null,
      video_target_codec: null,
      video_transcode_skipped: null,
    });
    expect(r8).toMatchObject({ status: "success", success: true, video_transcode_skipped: false, video_source_codec: "mpeg2video", encoder_type: "software" });
    expect(r10).toMatchObject({ video_transcode_skipped: true });
  });

  test("the policy filter keeps that policy's runs, interrupted ones included", async () => {
    const runs = await getRecentRuns(db, { policy: "strip" });
    expect(runs.map((r) => [r.stats_id, r.status])).toEqual([
      [ID.R10, "success"], [ID.R6, "success"], [ID.R5, "interrupted"], [ID.R1, "success"],
    ]);
  });

  test("runs at the same instant are ordered by id, highest first", async () => {
    const same = { processed_at: "2026-05-01T00:00:00Z", policy_name: "p", file_path: "/m/x.mkv", success: true };
    const other = await openTestDb(dialect, [
      { ...same, id: "aaaaaaaa-0000-4000-8000-000000000000" },
      { ...same, id: "bbbbbbbb-0000-4000-8000-000000000000" },
    ]);
    try {
      expect((await getRecentRuns(other.db)).map((r) => r.stats_id.slice(0, 4))).toEqual(["bbbb", "aaaa"]);
    } finally {
      await other.close();
    }
  });

  test("rejects a limit that is not a positive integer", async () => {
    await expect(getRecentRuns(db, { limit: 0 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(getRecentRuns(db, { limit: 2.5 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });
});

describe("getFileHistory", () => {
  test("lists one path's runs newest first", async () => {
    const history = await getFileHistory(db, { path: A });
    expect(history.map((h) => h.stats_id)).toEqual([ID.R10, ID.R6, ID.R1]);
    expect(history[2]).toEqual({
      stats_id: ID.R1,
      processed_at: "2026-01-30T08:00:00.000Z",
      policy_name: "strip",
      size_before: 1000,
      size_after: 800,
      size_change: 200,
      audio_removed: 2,
      subtitle_removed: 3,
      attachments_removed: 2,
      duration_seconds: 10,
      success: true,
      error_message: null,
      encoder_type: null,
    });
  });

  test("finds the same runs by file id, and honours the limit", async () => {
    const file = await findFile(db, A);
    expect(file).toMatchObject({ path: A });
    const history = await getFileHistory(db, { fileId: file!.id, limit: 2 });
    expect(history.map((h) => h.stats_id)).toEqual([ID.R10, ID.R6]);
  });

  test("with both a path and a file id, a run must match both", async () => {
    const other = await findFile(db, "/media/tv/b.mkv");
    expect(await getFileHistory(db, { path: A, fileId: other!.id })).toEqual([]);
  });

  test("an unknown path has no history and no files row", async () => {
    expect(await getFileHistory(db, { path: "/media/none.mkv" })).toEqual([]);
    expect(await findFile(db, "/media/none.mkv")).toBeUndefined();
  });

  test("needs a path or a file id", async () => {
    await expect(getFileHistory(db, {})).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });
});

describe("recent runs at scale", () => {
  test("ties on processed_at across the limit are broken by id, exactly as one full sort would", async () => {
    // Runs at three instants, several per instant, ids out of insertion order.
    const at = ["2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z"];
    const runs = Array.from({ length: 12 }, (_, i) => ({
      id: `${["9", "1", "5", "3"][i % 4]}${String(i).padStart(7, "0")}-0000-4000-8000-000000000000`,
      processed_at: at[i % 3]!,
      policy_name: i % 2 ? "odd" : "even",
      file_path: `/m/${i}.mkv`,
      success: true,
    }));
    const other = await openTestDb(dialect, runs);
    try {
      const newestFirst = (rs: typeof runs) =>
        rs.map((r) => ({ id: r.id, at: new Date(r.processed_at).toISOString() }))
          .sort((a, b) => (a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1))
          .map((r) => r.id);
      for (const limit of [1, 2, 3, 4, 5, 8, 12, 20]) {
        expect((await getRecentRuns(other.db, { limit })).map((r) => r.stats_id)).toEqual(newestFirst(runs).slice(0, limit));
        expect((await getRecentRuns(other.db, { limit, policy: "odd" })).map((r) => r.stats_id)).toEqual(
          newestFirst(runs.filter((r) => r.policy_name === "odd")).slice(0, limit),
        );
      }
    } finally {
      await other.close();
    }
  });

  if (dialect.name === "sqlite") test("reads the processed_at index instead of sorting every run", async () => {
    for (const options of [{ limit: 20 }, { limit: 5, policy: "strip" }]) {
      const compiled = recentRunsQuery(db, options).compile();
      const plan = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${compiled.sql}`, [...compiled.parameters]));
      const details = plan.rows.map((r) => r.detail).join("\n");
      expect(details).toMatch(/^SEARCH processing_stats USING INDEX (stats_processed_at|stats_policy_time)/);
      expect(details).not.toContain("USE TEMP B-TREE FOR ORDER BY"); // a sort of the whole table
    }
  });
});
});
