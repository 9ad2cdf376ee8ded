import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Db } from "../db/handle.ts";
import { forEachDialect } from "../../tests/dialects.ts";
import { openTestDb } from "./_fixtures.ts";
import { resolveRunId, shortRunIds } from "./run_id.ts";

/**
 * Runs started in the same millisecond by several workers: UUIDv7 ids that share the whole
 * 48-bit timestamp ("01a23625-9869") and, for some, several random digits after it.
 */
const SAME_MS = [
  "01a23625-9869-7000-8000-000000000001",
  "01a23625-9869-7000-8000-000000000002",
  "01a23625-9869-7000-8000-100000000000",
  "01a23625-9869-7abc-8000-000000000000",
  "01a23625-9869-7abd-8000-000000000000",
  "01a23625-986a-7000-8000-000000000000",
  "01a23624-0000-7000-8000-000000000000",
  "01b00000-0000-7000-8000-000000000000",
];
const run = (id: string, i: number) => ({ id, file_path: `/m/${i}.mkv`, processed_at: "2026-02-20T01:00:00Z", policy_name: "p", success: true });

forEachDialect("short run ids", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await openTestDb(dialect, SAME_MS.map(run))));
  afterAll(() => close());

  describe("shortRunIds", () => {
    test("each is the shortest prefix of 8+ characters no other run shares", async () => {
      const short = await shortRunIds(db, SAME_MS);
      expect(Object.fromEntries(short)).toEqual({
        [SAME_MS[0]!]: "01a23625-9869-7000-8000-000000000001",
        [SAME_MS[1]!]: "01a23625-9869-7000-8000-000000000002",
        [SAME_MS[2]!]: "01a23625-9869-7000-8000-1",
        [SAME_MS[3]!]: "01a23625-9869-7abc",
        [SAME_MS[4]!]: "01a23625-9869-7abd",
        [SAME_MS[5]!]: "01a23625-986a",
        [SAME_MS[6]!]: "01a23624",
        [SAME_MS[7]!]: "01b00000",
      });
    });

    test("what is shown resolves to exactly that run, and one character less does not", async () => {
      const short = await shortRunIds(db, SAME_MS);
      for (const [id, prefix] of short) {
        expect(await resolveRunId(db, prefix)).toBe(id);
        const shorter = prefix.replace(/-?.$/, "");
        if (prefix.length > 8 && prefix !== id) await expect(resolveRunId(db, shorter)).rejects.toMatchObject({ code: "AMBIGUOUS_ID" });
      }
    });

    test("uniqueness is against every stored run, not just the ones listed", async () => {
      const short = await shortRunIds(db, [SAME_MS[3]!]);
      expect(short.get(SAME_MS[3]!)).toBe("01a23625-9869-7abc");
    });

    test("an id that is not stored is shown in full", async () => {
      const other = "01a23625-9869-7000-8000-00000000ffff";
      expect((await shortRunIds(db, [other])).get(other)).toBe(other);
    });
  });
});
