/**
 * Which ffmpeg and ffprobe vpo runs, as `vpo config show` reports it: the npm builds, a newer
 * build on PATH instead, or the configured one whatever its age.
 */
import { describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { tempDir, vpo } from "./_cli.ts";

const require = createRequire(import.meta.url);
const NPM_FFMPEG = require("@ffmpeg-installer/ffmpeg").path as string;
const NPM_FFPROBE = require("@ffprobe-installer/ffprobe").path as string;

/** A directory holding an `ffmpeg` that reports this libavutil and logs each run. */
function fakeFfmpeg(version: string, libavutil: string): { dir: string; bin: string; runs: () => number } {
  const dir = tempDir("vpo-fake-ffmpeg-");
  mkdirSync(join(dir, "bin"));
  const bin = join(dir, "bin/ffmpeg");
  writeFileSync(bin, `#!/bin/sh\necho run >> "${dir}/runs"\necho "ffmpeg version ${version} Copyright (c) the FFmpeg developers"\necho "libavutil      ${libavutil} / ${libavutil}"\n`);
  chmodSync(bin, 0o755);
  return { dir: join(dir, "bin"), bin, runs: () => readFileSync(join(dir, "runs"), "utf8").split("\n").filter(Boolean).length };
}

async function toolsShown(env: Record<string, string> = {}, dataDir = tempDir()) {
  const shown = await vpo(["config", "show", "--json"], { dataDir, env });
  expect(shown.stderr).toBe("");
  expect(shown.code).toBe(0);
  return JSON.parse(shown.stdout).tools as Record<"ffmpeg" | "ffprobe", { path: string; source: string; version: string; note: string | null }>;
}

describe("the ffmpeg in use", () => {
  test("by default the npm builds, named with their version", async () => {
    const tools = await toolsShown({ PATH: "/usr/local/nowhere" });
    expect(tools.ffmpeg).toEqual({ path: NPM_FFMPEG, source: "npm", version: "N-47683-g0e8eb07980-static (libavutil 56.24.101)", note: null });
    expect(tools.ffprobe).toMatchObject({ path: NPM_FFPROBE, source: "npm", version: expect.stringContaining("libavutil 58.") });
  });

  test("a newer ffmpeg on PATH is used, and its version is asked once across commands", async () => {
    const newer = fakeFfmpeg("7.1.1", "59. 39.100");
    const dataDir = tempDir();
    const env = { PATH: `${newer.dir}:/usr/bin:/bin` };
    const tools = await toolsShown(env, dataDir);
    expect(tools.ffmpeg).toEqual({
      path: newer.bin,
      source: "path",
      version: "7.1.1 (libavutil 59.39.100)",
      note: "newer than the npm build (N-47683-g0e8eb07980-static (libavutil 56.24.101))",
    });
    expect(tools.ffprobe.source).toBe("npm"); // each tool on its own
    await toolsShown(env, dataDir);
    expect(newer.runs()).toBe(1);
  });

  test("an older ffmpeg on PATH is passed over, saying why; a configured one is used whatever its age", async () => {
    const older = fakeFfmpeg("3.4.8", "55. 78.100");
    const dataDir = tempDir();
    const tools = await toolsShown({ PATH: `${older.dir}:/usr/bin:/bin` }, dataDir);
    expect(tools.ffmpeg).toMatchObject({ path: NPM_FFMPEG, source: "npm", note: `the ffmpeg on PATH (${older.bin}, 3.4.8 (libavutil 55.78.100)) is not newer` });

    writeFileSync(join(dataDir, "config.toml"), `[tools]\nffmpeg = ${JSON.stringify(older.bin)}\n`);
    const configured = await toolsShown({}, dataDir);
    expect(configured.ffmpeg).toEqual({ path: older.bin, source: "config", version: "3.4.8 (libavutil 55.78.100)", note: null });
    const text = await vpo(["config", "show"], { dataDir });
    expect(text.stdout).toContain(`ffmpeg       ${older.bin}  ([tools] in the config, 3.4.8 (libavutil 55.78.100))`);
  });
});
