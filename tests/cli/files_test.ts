import { beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { copyFixture, type Fixtures, makeFixtures } from "../fixtures/media.ts";
import { tempDir, vpo } from "./_cli.ts";

let fixtures: Fixtures;
let dataDir: string;
let movies: string;
let other: string;
beforeAll(async () => {
  fixtures = await makeFixtures();
  dataDir = tempDir();
  movies = join(dataDir, "lib/movies");
  other = join(dataDir, "lib/movies-extra"); // shares "movies" as a prefix, not as a directory
  mkdirSync(movies, { recursive: true });
  mkdirSync(other, { recursive: true });
  await copyFixture(fixtures, "multi", movies);
  await copyFixture(fixtures, "truncated", movies);
  await copyFixture(fixtures, "clip", other);
  const scanned = await vpo(["scan", join(dataDir, "lib")], { dataDir });
  expect(scanned.code).toBe(0);
});

describe("vpo files", () => {
  test("shows what ffprobe saw: container, duration, size, status, and every stream with its flags", async () => {
    const shown = await vpo(["files", movies], { dataDir });
    expect(shown.stderr).toBe("");
    expect(shown.code).toBe(0);
    const lines = shown.stdout.split("\n");
    expect(lines[0]).toBe(join(movies, "multi.mkv"));
    expect(lines[1]).toMatch(/^ {2}matroska · 2\.0s · \d+ KiB · ok · scanned \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(lines.slice(2, 10).map((l) => l.trimEnd().split(/ {2,}/).join("|"))).toEqual([
      "|#|Type|Codec|Language|Title|Flags|Size / channels",
      "|0|video|h264|—|default|320×180",
      "|1|audio|aac|eng|default|1 ch",
      "|2|audio|aac|jpn|Japanese|1 ch",
      "|3|audio|opus|fre|1 ch",
      "|4|subtitle|subrip|eng",
      "|5|subtitle|subrip|fre|forced",
      "|6|attachment|ttf|—",
    ]);
    expect(shown.stdout).toContain(`${join(movies, "truncated.mkv")}\n  unknown container · — · 4.00 KiB · unreadable`);
    expect(shown.stdout).toMatch(/\n {2}error: Cannot read media file .*truncated\.mkv/);
    expect(shown.stdout).toEndWith("\n2 files (1 ok, 1 error)\n");
    expect(shown.stdout).not.toContain("clip.mp4"); // movies-extra is not below movies
  });

  test("--json gives the stored fields and each stream in snake_case; a file path restricts to that file", async () => {
    const shown = await vpo(["files", join(other, "clip.mp4"), "--json"], { dataDir });
    expect(shown.code).toBe(0);
    const [clip, ...rest] = JSON.parse(shown.stdout);
    expect(rest).toEqual([]);
    expect(clip).toMatchObject({ path: join(other, "clip.mp4"), scan_status: "ok", scan_error: null, container: "mov", duration: 2 });
    expect(clip.content_hash).toStartWith("sha256:");
    expect(clip.streams).toEqual([
      { index: 0, type: "video", codec: "h264", language: "und", title: null, default: true, forced: false, width: 320, height: 180, channels: null, bit_rate: expect.any(Number) },
      { index: 1, type: "audio", codec: "aac", language: "und", title: null, default: true, forced: false, width: null, height: null, channels: 1, bit_rate: expect.any(Number) },
    ]);
  });

  test("without a path every file is listed; several paths are combined", async () => {
    const all = JSON.parse((await vpo(["files", "--json"], { dataDir })).stdout).map((f: { path: string }) => f.path);
    expect(all).toEqual([join(other, "clip.mp4"), join(movies, "multi.mkv"), join(movies, "truncated.mkv")]); // by path, byte order
    const two = JSON.parse((await vpo(["files", join(movies, "multi.mkv"), other, "--json"], { dataDir })).stdout).map((f: { path: string }) => f.path);
    expect(two).toEqual([join(other, "clip.mp4"), join(movies, "multi.mkv")]);
  });

  test("nothing to show is said in one line: a path that does not exist (64), nothing scanned (65)", async () => {
    expect(await vpo(["files", join(dataDir, "nope")], { dataDir })).toEqual({
      code: 64,
      stdout: "",
      stderr: `vpo: No such file or directory at "${join(dataDir, "nope")}", and no scanned files there\n`,
    });
    expect(await vpo(["files", dataDir + "/lib/../lib/movies-extra/../../"], { dataDir }).then((r) => r.code)).toBe(0);
    const fresh = tempDir();
    expect(await vpo(["files"], { dataDir: fresh })).toEqual({ code: 65, stdout: "", stderr: "vpo: No scanned files: nothing has been recorded yet. Scan first: vpo scan PATH\n" });
  });
});
