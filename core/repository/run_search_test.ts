import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { CompiledQuery } from "kysely";
import { forEachDialect } from "../../tests/dialects.ts";
import type { Db } from "../db/handle.ts";
import type { RunRecordInput } from "../record/mod.ts";
import { ID, openTestDb, RUNS } from "./_fixtures.ts";
import { recordRun } from "./record.ts";
import { containsPattern, decodeRunCursor, encodeRunCursor, runSearchQuery, searchRuns } from "./run_search.ts";
import type { RunSearchOptions } from "./views.ts";

// The fixture runs R1…R10 (on two nodes and libraries, as in breakdown_test.ts), plus three runs
// at one instant (ties broken by id) whose paths hold LIKE's special characters.
const WHERE: Record<number, { node: string; library: string } | undefined> = {
  0: { node: "alpha", library: "movies" }, 1: { node: "beta", library: "tv" }, 2: { node: "beta", library: "tv" },
  3: { node: "alpha", library: "movies" }, 4: { node: "alpha", library: "movies" }, 5: { node: "alpha", library: "movies" },
  6: { node: "beta", library: "tv" }, 7: { node: "beta", library: "tv" },
};
const T = {
  T1: "e0000001-0000-4000-8000-000000000001",
  T2: "e0000002-0000-4000-8000-000000000002",
  T3: "e0000003-0000-4000-8000-000000000003",
} as const;
const tie = (id: string, file_path: string): RunRecordInput => ({ id, processed_at: "2026-02-03T12:00:00Z", policy_name: "odd", file_path, success: true });
const EXTRA: RunRecordInput[] = [
  tie(T.T1, "/media/odd/100%_Done.mkv"),
  tie(T.T2, "/media/odd/100xxdone.mkv"),
  tie(T.T3, "C:\\media\\odd\\Ünïcode.mkv"),
];
/** Every run, newest first. */
const ALL = [T.T3, T.T2, T.T1, ID.R10, ID.R9, ID.R8, ID.R7, ID.R6, ID.R5, ID.R4, ID.R3, ID.R2, ID.R1];

forEachDialect("run search", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await openTestDb(dialect, [...RUNS.map((run, i) => ({ ...run, ...WHERE[i] })), ...EXTRA])));
  afterAll(() => close());

  const ids = async (options: RunSearchOptions) => (await searchRuns(db, options)).runs.map((r) => r.stats_id);

  /** Every page of a search, following next_cursor. */
  async function allPages(options: RunSearchOptions): Promise<string[][]> {
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await searchRuns(db, { ...options, cursor });
      pages.push(page.runs.map((r) => r.stats_id));
      expect(page.has_more).toBe(page.next_cursor !== null);
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined && pages.length < 20);
    return pages;
  }

  describe("paging", () => {
    test("pages hold every run once, newest first, ties at one instant ordered by id across a page boundary", async () => {
      expect(await allPages({ limit: 2 })).toEqual([[T.T3, T.T2], [T.T1, ID.R10], [ID.R9, ID.R8], [ID.R7, ID.R6], [ID.R5, ID.R4], [ID.R3, ID.R2], [ID.R1]]);
      expect(await allPages({ limit: 13 })).toEqual([ALL]);
      expect(await allPages({})).toEqual([ALL]); // default page size 50
    });

    test("the last page says there is no more", async () => {
      const page = await searchRuns(db, { limit: 12, cursor: encodeRunCursor({ at: "2026-02-03T12:00:00.000Z", id: T.T3 }) });
      expect(page.runs.map((r) => r.stats_id)).toEqual(ALL.slice(1));
      expect(page).toMatchObject({ has_more: false, next_cursor: null });
    });

    test("rows carry the recent-runs fields plus library and node", async () => {
      const [r9] = (await searchRuns(db, { status: "failed", policy: "remux" })).runs;
      expect(r9).toEqual({
        stats_id: ID.R9, processed_at: "2026-02-02T10:00:00.000Z", policy_name: "remux", size_before: 800, size_after: 800, size_change: 0,
        audio_removed: null, subtitle_removed: null, attachments_removed: null, duration_seconds: 1, success: false,
        error_message: "container not supported", encoder_type: null, file_path: "/media/movies/g.avi", status: "failed",
        video_source_codec: null, video_target_codec: null, video_transcode_skipped: null, library: null, node: null,
      });
    });

    test("a cursor or page size not of this API is refused with a clear error", async () => {
      for (const cursor of ["", "nope", encodeRunCursor({ at: "yesterday", id: "x" }), "a".repeat(401)]) {
        await expect(searchRuns(db, { cursor })).rejects.toMatchObject({ code: "INVALID_ARGUMENT", message: expect.stringContaining("Invalid cursor") });
      }
      await expect(searchRuns(db, { limit: 201 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT", message: expect.stringContaining("at most 200") });
      await expect(searchRuns(db, { limit: 0 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      expect(decodeRunCursor(encodeRunCursor({ at: "2026-02-03T12:00:00.000Z", id: T.T1 }))).toEqual({ at: "2026-02-03T12:00:00.000Z", id: T.T1 });
    });
  });

  describe("filters", () => {
    test("q is a substring of the path, case-insensitive for ASCII letters", async () => {
      expect(await ids({ q: "MOVIES/A.mkv" })).toEqual([ID.R10, ID.R6, ID.R1]);
      expect(await ids({ q: "/tv/" })).toEqual([ID.R8, ID.R7, ID.R3, ID.R2]);
      expect(await ids({ q: "Ünïcode" })).toEqual([T.T3]);
      expect(await ids({ q: "nothing like it" })).toEqual([]);
    });

    test("%, _ and \\ in q are matched literally, not as wildcards", async () => {
      expect(await ids({ q: "100%_done" })).toEqual([T.T1]);
      expect(await ids({ q: "%" })).toEqual([T.T1]);
      expect(await ids({ q: "_" })).toEqual([T.T1]);
      expect(await ids({ q: "%_d" })).toEqual([T.T1]);
      expect(await ids({ q: "0_x" })).toEqual([]); // a wildcard _ would match "100xxdone"
      expect(await ids({ q: "100%done" })).toEqual([]); // a wildcard % would match both
      expect(await ids({ q: "\\media\\" })).toEqual([T.T3]);
      expect(containsPattern("50%_a\\B")).toBe("%50\\%\\_a\\\\b%");
    });

    test("status, policy, library, node and the time window narrow the runs, alone and together", async () => {
      expect(await ids({ status: "failed" })).toEqual([ID.R9, ID.R3]);
      expect(await ids({ status: "interrupted" })).toEqual([ID.R5]);
      expect(await ids({ policy: "strip", status: "success" })).toEqual([ID.R10, ID.R6, ID.R1]);
      expect(await ids({ library: "tv", status: "failed" })).toEqual([ID.R3]);
      expect(await ids({ node: "alpha", since: "2026-01-31T00:00:00Z" })).toEqual([ID.R6, ID.R5, ID.R4]);
      expect(await ids({ since: "2026-02-02T00:00:00Z", until: "2026-02-03T00:00:00Z" })).toEqual([ID.R10, ID.R9, ID.R8]);
      expect(await ids({ q: "a.mkv", policy: "strip", node: "alpha", library: "movies", until: "2026-02-01T09:00:00Z" })).toEqual([ID.R1]);
      expect(await allPages({ q: "/media/", status: "success", limit: 3 })).toEqual([[T.T2, T.T1, ID.R10], [ID.R8, ID.R7, ID.R6], [ID.R4, ID.R2, ID.R1]]);
    });
  });

  if (dialect.name === "sqlite") test("walks the processed_at indexes newest first instead of sorting every matching run", async () => {
    const cursor = encodeRunCursor({ at: "2026-02-02T00:00:00.000Z", id: ID.R8 });
    for (const options of [{}, { status: "failed" as const }, { q: "x", status: "failed" as const }, { policy: "strip", cursor }, { status: "success" as const, cursor }]) {
      const compiled = runSearchQuery(db, options).compile();
      const plan = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${compiled.sql}`, [...compiled.parameters]));
      const details = plan.rows.map((r) => r.detail).join("\n");
      expect(details).toMatch(/^SEARCH processing_stats USING INDEX (stats_processed_at|stats_policy_time)/);
      expect(details).not.toContain("USE TEMP B-TREE FOR ORDER BY"); // a sort of every matching run
    }
  });

  test("a run recorded between two pages does not shift the second page", async () => {
    const first = await searchRuns(db, { limit: 4 });
    await recordRun(db, { id: "f0000001-0000-4000-8000-000000000001", processed_at: "2026-02-04T00:00:00Z", policy_name: "odd", file_path: "/media/new.mkv", success: true });
    expect(await ids({ limit: 4, cursor: first.next_cursor! })).toEqual(ALL.slice(4, 8));
  });
});
