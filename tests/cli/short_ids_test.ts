/**
 * Runs started in the same millisecond (several workers) have UUIDv7 ids that share their first
 * 13 characters or more. Every run id a table shows must, typed back, name exactly that run.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeFinished } from "../../cli/process_view.ts";
import { openDatabase, resolveRunId } from "../../core/mod.ts";
import { tempDir, vpo } from "./_cli.ts";

const SAME_MS = [
  "01a23625-9869-7000-8000-000000000001",
  "01a23625-9869-7000-8000-000000000002",
  "01a23625-9869-7abc-8000-000000000000",
  "01a23625-9869-7abd-8000-000000000000",
  "01a23625-986a-7000-8000-000000000000",
  "01a23624-8000-7000-8000-000000000000",
  "01a23624-8100-7000-8000-000000000000",
];
// Two runs of one file whose ids differ early, among runs of other files that share their prefixes.
const FILE = "/media/movies/a.mkv";
const fileOf = (id: string) => (id === SAME_MS[2] || id === SAME_MS[5] ? FILE : `/media/other/${id}.mkv`);

let dataDir: string;
beforeAll(async () => {
  dataDir = tempDir();
  const lines = SAME_MS.map((id, i) => JSON.stringify({ id, file_path: fileOf(id), processed_at: `2026-02-20T01:00:0${i}Z`, policy_name: "p", success: true }));
  writeFileSync(join(dataDir, "runs.ndjson"), `${lines.join("\n")}\n`);
  const imported = await vpo(["stats", "import", join(dataDir, "runs.ndjson")], { dataDir });
  expect(imported.code).toBe(0);
});

/** The Run column of a stats table. */
const shownIds = (table: string) => table.split("\n").map((line) => /^(0[0-9a-f-]+)\s/.exec(line)?.[1]).filter((id): id is string => id !== undefined);

/** What `vpo stats detail` resolves each shown id to (the same resolveRunId, on the same file). */
async function resolved(shown: string[]): Promise<string[]> {
  const database = await openDatabase(join(dataDir, "library.db"), { access: "read" });
  try {
    return await Promise.all(shown.map((id) => resolveRunId(database.db, id)));
  } finally {
    await database.close();
  }
}

describe("run ids shown to people", () => {
  test("stats recent shows for each run a prefix that stats detail resolves to exactly it", async () => {
    const recent = await vpo(["stats", "recent"], { dataDir });
    expect(recent.code).toBe(0);
    const shown = shownIds(recent.stdout);
    expect(shown).toHaveLength(SAME_MS.length);
    expect(await resolved(shown)).toEqual([...SAME_MS].reverse()); // newest first
    const detail = await vpo(["stats", "detail", "01a23625-9869-7abc", "--format", "json"], { dataDir });
    expect(JSON.parse(detail.stdout).id).toBe(SAME_MS[2]);
    // Unique among every run, not only among the ones listed.
    const latest = shownIds((await vpo(["stats", "recent", "--limit", "3"], { dataDir })).stdout);
    expect(latest).toEqual(["01a23624-81", "01a23624-80", "01a23625-986a"]);
  });

  test("stats file makes its ids unique among every run, not only that file's", async () => {
    const history = await vpo(["stats", "file", FILE], { dataDir });
    expect(history.code).toBe(0);
    const shown = shownIds(history.stdout);
    expect(shown).toEqual(["01a23624-80", "01a23625-9869-7abc"]);
    expect(await resolved(shown)).toEqual([SAME_MS[5], SAME_MS[2]]);
  });

  test("a processed file's line names its run in full", () => {
    const line = describeFinished({ index: 1, total: 4, file: "/m/a.mkv", path: "/m/a.mkv", success: true, changed: false, status: "success", run_id: SAME_MS[0]! } as never);
    expect(line).toEndWith(`run ${SAME_MS[0]}`);
  });
});
