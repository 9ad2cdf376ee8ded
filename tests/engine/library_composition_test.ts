import { afterEach, beforeAll, expect, test } from "bun:test";
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { getLibrarySnapshots } from "../../core/mod.ts";
import { runScan } from "../../engine/scan.ts";
import { resolveTools } from "../../engine/tools.ts";
import { ffprobeJson } from "../fixtures/ffmpeg.ts";
import { copyFixture, type Fixtures, makeFixtures } from "../fixtures/media.ts";
import { type EngineFixture, engineFixture } from "./_setup.ts";

let fixtures: Fixtures;
let fx: EngineFixture | null = null;
beforeAll(async () => {
  fixtures = await makeFixtures();
});
afterEach(async () => {
  await fx?.close();
  fx = null;
});

/** A 1280×720 HEVC clip tagged as PQ (HDR10), made here since the shared corpus has no HDR. */
async function hdrClip(path: string): Promise<void> {
  const proc = Bun.spawn([
    resolveTools().ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=1280x720:rate=5:duration=0.4",
    "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error", "-pix_fmt", "yuv420p10le",
    "-color_primaries", "bt2020", "-color_trc", "smpte2084", "-colorspace", "bt2020nc", path,
  ], { stderr: "pipe" });
  if ((await proc.exited) !== 0) throw new Error(await new Response(proc.stderr).text());
}

/**
 * The composition worked out from ffprobe's own JSON, independently of vpo's code: each file
 * counts once per distinct value; languages lowercased, untagged = "und".
 */
async function expectedFromFfprobe(paths: string[]): Promise<Map<string, { files: number; bytes: number }>> {
  const out = new Map<string, { files: number; bytes: number }>();
  const add = (dim: string, value: string, bytes: number) => {
    const e = out.get(`${dim}=${value}`) ?? { files: 0, bytes: 0 };
    out.set(`${dim}=${value}`, { files: e.files + 1, bytes: e.bytes + bytes });
  };
  const height: Record<number, string> = { 180: "SD", 720: "720p" };
  for (const path of paths) {
    const { streams, format } = await ffprobeJson(path);
    const bytes = statSync(path).size;
    const video = streams.find((s) => s.codec_type === "video");
    const of = (type: string, pick: (s: (typeof streams)[number]) => string) => [...new Set(streams.filter((s) => s.codec_type === type).map(pick))];
    const lang = (s: (typeof streams)[number]) => (s.tags?.language ?? "und").toLowerCase();
    add("total", "", bytes);
    add("container", String(format.format_name).split(",")[0]!, bytes);
    add("video_codec", video!.codec_name!, bytes);
    add("resolution", height[video!.height!]!, bytes);
    add("hdr", video!.color_transfer === "smpte2084" ? "HDR10 (PQ)" : "SDR", bytes);
    for (const [dim, values] of [["audio_codec", of("audio", (s) => s.codec_name!)], ["audio_language", of("audio", lang)], ["subtitle_language", of("subtitle", lang)]] as const) {
      for (const v of values.length ? values : ["none"]) add(dim, v, bytes);
    }
  }
  return out;
}

const asMap = (rows: { dimension: string; value: string; files: number; bytes: number }[]) =>
  new Map(rows.map((r) => [`${r.dimension}=${r.value}`, { files: r.files, bytes: r.bytes }]));

test("a scan's composition snapshot counts files and bytes exactly as ffprobe describes the corpus; unreadable files are left out", async () => {
  fx = await engineFixture();
  const movies = join(fx.dir, "movies");
  const tv = join(fx.dir, "tv");
  mkdirSync(movies);
  mkdirSync(tv);
  const paths = [
    await copyFixture(fixtures, "multi", movies), await copyFixture(fixtures, "clip", movies), await copyFixture(fixtures, "hevc", movies),
    await copyFixture(fixtures, "silent", tv),
  ];
  await copyFixture(fixtures, "truncated", tv);
  const hdr = join(movies, "hdr.mkv");
  await hdrClip(hdr);
  paths.push(hdr);
  const day1 = new Date("2026-03-01T10:00:00Z");
  await runScan(fx.db, fx.engine.probe, { paths: [fx.dir], libraries: { movies, tv }, now: () => day1 });

  const all = await getLibrarySnapshots(fx.db, "", { latest: true });
  expect(asMap(all)).toEqual(await expectedFromFfprobe(paths));
  expect(all.every((r) => r.day === "2026-03-01")).toBe(true);
  // Each library: only its own files.
  expect(asMap(await getLibrarySnapshots(fx.db, "movies"))).toEqual(await expectedFromFfprobe(paths.filter((p) => p.startsWith(movies))));
  expect(asMap(await getLibrarySnapshots(fx.db, "tv"))).toEqual(await expectedFromFfprobe([paths[3]!]));
}, 60_000);

test("snapshots accumulate across scans, one per library per day: the day's last scan replaces that day's snapshot", async () => {
  fx = await engineFixture();
  const lib = join(fx.dir, "lib");
  mkdirSync(lib);
  await copyFixture(fixtures, "multi", lib);
  const scan = (at: string) => runScan(fx!.db, fx!.engine.probe, { paths: [lib], libraries: { lib }, now: () => new Date(at) });
  await scan("2026-03-01T08:00:00Z");
  await copyFixture(fixtures, "clip", lib);
  await scan("2026-03-01T20:00:00Z"); // same day: replaces
  await copyFixture(fixtures, "silent", lib);
  await scan("2026-03-02T09:00:00Z");
  await scan("2026-03-05T09:00:00Z");
  const totals = (await getLibrarySnapshots(fx.db, "lib")).filter((r) => r.dimension === "total").map((r) => [r.day, r.files]);
  expect(totals).toEqual([["2026-03-01", 2], ["2026-03-02", 3], ["2026-03-05", 3]]);
  expect((await getLibrarySnapshots(fx.db, "lib", { since: "2026-03-02" })).filter((r) => r.dimension === "total").length).toBe(2);
}, 60_000);
