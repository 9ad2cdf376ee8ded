import { beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { copyFixture, makeFixtures } from "../fixtures/media.ts";
import { asNdjson, perfHistory } from "../fixtures/perf_history.ts";
import { tempDir, vpo } from "./_cli.ts";

async function imported(runs: ReturnType<typeof perfHistory>) {
  const dataDir = tempDir("vpo-analysis-");
  writeFileSync(join(dataDir, "h.ndjson"), asNdjson(runs));
  expect((await vpo(["stats", "import", "h.ndjson"], { dataDir })).code).toBe(0);
  return dataDir;
}

describe("vpo stats regressions", () => {
  test("finds a 30 % fps drop injected into imported history, and nothing in history without one", async () => {
    const runs = perfHistory({ runs: 300, seed: 41, drop: { at: 210, change: -0.3 } });
    const dropped = await imported(runs);
    const found = await vpo(["stats", "regressions", "--format", "json"], { dataDir: dropped });
    expect(found.code).toBe(0);
    const changes = JSON.parse(found.stdout);
    const fps = changes.filter((c: { metric: string }) => c.metric === "encoding_fps");
    expect(fps).toHaveLength(1);
    expect(fps[0]).toMatchObject({ policy: "hevc", phase: "transcode", direction: "regression", at: runs[210]!.processed_at, run_after: { stats_id: runs[210]!.id } });
    expect(fps[0].change_percent).toBeLessThan(-24);
    const table = await vpo(["stats", "regressions", "--policy", "hevc"], { dataDir: dropped });
    expect(table.stdout).toContain("% worse");
    const steady = await imported(perfHistory({ runs: 300, seed: 42 }));
    const none = await vpo(["stats", "regressions", "--format", "json", "--improvements"], { dataDir: steady });
    expect([none.code, none.stdout.trim()]).toEqual([0, "[]"]);
    expect((await vpo(["stats", "regressions"], { dataDir: steady })).stdout.trim()).toBe("No performance change found.");
  }, 60_000);
});

describe("vpo stats compare", () => {
  test("every summary field of two windows side by side; the deltas are the difference of the two summaries", async () => {
    const dataDir = await imported(perfHistory({ runs: 300, seed: 43, start: "2026-01-01T00:00:00Z" }));
    const w = ["--since", "2026-01-10", "--until", "2026-01-16", "--to-since", "2026-01-03", "--to-until", "2026-01-09"];
    const r = await vpo(["stats", "compare", ...w, "--format", "json"], { dataDir });
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout);
    const a = JSON.parse((await vpo(["stats", "summary", "--since", "2026-01-10", "--until", "2026-01-16", "--format", "json"], { dataDir })).stdout);
    const b = JSON.parse((await vpo(["stats", "summary", "--since", "2026-01-03", "--until", "2026-01-09", "--format", "json"], { dataDir })).stdout);
    expect(c.fields.map((f: { field: string }) => f.field)).toEqual(Object.keys(a));
    for (const f of c.fields) {
      expect([f.current, f.baseline]).toEqual([a[f.field], b[f.field]]);
      if (typeof a[f.field] === "number" && b[f.field] !== 0) {
        expect(f.change).toBeCloseTo(a[f.field] - b[f.field], 6);
        expect(f.change_percent).toBeCloseTo(((a[f.field] - b[f.field]) / Math.abs(b[f.field])) * 100, 3);
      }
    }
    const table = await vpo(["stats", "compare", ...w], { dataDir });
    expect(table.stdout).toContain("2026-01-10 → 2026-01-16");
    const both = await vpo(["stats", "compare", "--period", "week", "--since", "7d"], { dataDir });
    expect(both.code).toBe(2);
  }, 60_000);
});

describe("vpo stats library", () => {
  test("shows the latest scan's composition, the trend, and names the libraries that have snapshots", async () => {
    const fixtures = await makeFixtures();
    const dataDir = tempDir("vpo-library-");
    const movies = join(dataDir, "movies");
    mkdirSync(movies);
    await copyFixture(fixtures, "multi", movies);
    await copyFixture(fixtures, "hevc", movies);
    writeFileSync(join(dataDir, "config.toml"), `[libraries]\nmovies = "${movies}"\n`);
    expect((await vpo(["scan", movies], { dataDir })).code).toBe(0);
    const r = await vpo(["stats", "library", "--library", "movies", "--format", "json"], { dataDir });
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c.snapshots).toHaveLength(1);
    expect(c.snapshots[0].files).toBe(2);
    expect(c.snapshots[0].dimensions.video_codec.map((x: { value: string; files: number }) => [x.value, x.files]).sort()).toEqual([["h264", 1], ["hevc", 1]]);
    expect(c.snapshots[0].dimensions.audio_language.map((x: { value: string }) => x.value).sort()).toEqual(["eng", "fre", "jpn"]);
    const trend = await vpo(["stats", "library", "--trend"], { dataDir });
    expect(trend.stdout).toContain(new Date().toISOString().slice(0, 10));
    const unknown = await vpo(["stats", "library", "--library", "movis"], { dataDir });
    expect([unknown.code, unknown.stderr]).toEqual([64, expect.stringContaining('(did you mean "movies"?)')]);
  }, 60_000);
});
