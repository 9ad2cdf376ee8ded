/**
 * The same history in SQLite and in PostgreSQL answers every view identically: imported into
 * each, and moved from one to the other with `vpo db copy`.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pgCluster, pgUnavailable } from "../pg_cluster.ts";
import { tempDir, vpo } from "./_cli.ts";

const RUNS = 20_000;

/** A deterministic history: policies, libraries, nodes, outcomes and sizes spread over three months. */
function history(dir: string): string {
  const lines: string[] = [];
  for (let i = 0; i < RUNS; i++) {
    const ok = i % 9 !== 0;
    lines.push(JSON.stringify({
      id: `${(0x01a00000 + i).toString(16).padStart(8, "0")}-0000-7000-8000-${i.toString(16).padStart(12, "0")}`,
      file_path: `/lib/${["movies", "tv"][i % 2]}/${i % 3000}.mkv`, policy_name: ["strip", "transcode", "remux"][i % 3], success: ok,
      status: ok ? "success" : i % 2 ? "failed" : "interrupted", error_message: ok ? null : "boom",
      processed_at: new Date(Date.UTC(2026, 0, 1) + i * 389_017).toISOString(), library: ["movies", "tv"][i % 2], node: ["alpha", "beta", "gamma"][i % 3],
      size_before: 2_000_000_000 + i * 7919, size_after: 900_000_000 + i * 104_729, duration_seconds: (i % 600) + 0.125,
      video_source_codec: ["h264", "mpeg2video", "hevc"][i % 3], video_target_codec: "hevc", video_transcode_skipped: i % 3 === 2,
      encoder_type: i % 5 ? "software" : "hardware", audio_tracks_before: 3, audio_tracks_after: 1 + (i % 2),
      actions: [{ action_type: "remove", track_type: "audio", track_index: 2 }],
      phases: [{ phase_name: "transcode", wall_time_seconds: (i % 600) + 0.125, bytes_read: 2_000_000_000 + i, encoding_fps: 20 + (i % 40) }],
      plugin_metrics: { size: { bytes_saved: 1_100_000_000 - i * 96_810 } },
    }));
  }
  const path = join(dir, "history.ndjson");
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

const VIEWS = [
  ["summary"], ["policies"], ["trends", "--group-by", "week"], ["trends", "--since", "2026-02-03T05:00:00Z", "--until", "2026-03-01T12:00:00Z"],
  ["nodes"], ["libraries", "--policy", "strip"], ["summary", "--since", "2026-01-15T13:30:00Z", "--node", "beta"], ["metrics"], ["recent", "--limit", "50"],
];

async function views(db: string, dir: string): Promise<string[]> {
  return Promise.all(VIEWS.map(async (args) => {
    const r = await vpo(["--db", db, "stats", ...args, "--format", "json"], { dataDir: dir });
    expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: "" });
    return r.stdout;
  }));
}

const skip = pgUnavailable();
describe.skipIf(skip !== null && process.env.CI !== "true")(`SQLite and PostgreSQL${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let dir: string;
  let file: string;
  let sqlite: string;
  let postgres: string;
  beforeAll(async () => {
    dir = tempDir();
    file = history(dir);
    sqlite = join(dir, "library.db");
    postgres = await pgCluster().createDatabase();
  });

  test(`importing ${RUNS.toLocaleString("en-US")} runs into each gives identical views`, async () => {
    for (const db of [sqlite, postgres]) {
      const r = await vpo(["--db", db, "stats", "import", file, "--format", "json"], { dataDir: dir });
      expect(JSON.parse(r.stdout)).toMatchObject({ imported: RUNS, invalid: 0 });
    }
    expect(await views(postgres, dir)).toEqual(await views(sqlite, dir));
  }, 600_000);

  test("vpo db copy moves everything to PostgreSQL and back, and every view and the export stay identical", async () => {
    const target = await pgCluster().createDatabase();
    const copied = await vpo(["--db", sqlite, "db", "copy", "--to", target, "--json"], { dataDir: dir });
    expect(copied.code).toBe(0);
    expect(copied.stderr).toContain(`processing_stats: ${RUNS.toLocaleString("en-US")} / ${RUNS.toLocaleString("en-US")}`);
    expect(JSON.parse(copied.stdout).rows).toMatchObject({ processing_stats: RUNS, action_results: RUNS, plugin_metrics: RUNS });
    const back = join(dir, "back.db");
    expect((await vpo(["--db", target, "db", "copy", "--to", back], { dataDir: dir })).code).toBe(0);
    const expected = await views(sqlite, dir);
    expect(await views(target, dir)).toEqual(expected);
    expect(await views(back, dir)).toEqual(expected);
    // The rollups travel as they are: on each side they still equal a rebuild from the runs.
    for (const db of [target, back]) expect((await vpo(["--db", db, "db", "verify"], { dataDir: dir })).code).toBe(0);
    const exportOf = async (db: string) => (await vpo(["--db", db, "stats", "export"], { dataDir: dir })).stdout;
    expect(await exportOf(back)).toEqual(await exportOf(sqlite));
    // A target that already holds runs is refused, unchanged.
    const refused = await vpo(["--db", sqlite, "db", "copy", "--to", back], { dataDir: dir });
    expect([refused.code, refused.stderr]).toEqual([2, "vpo: Cannot copy into a database that already holds data: its table \"files\" is not empty\n"]);
  }, 600_000);
});
