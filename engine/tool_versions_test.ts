import { describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compareBuilds, describeBuild, parseVersionOutput, toolVersion } from "./tool_versions.ts";

const require = createRequire(import.meta.url);

describe("tool versions", () => {
  test("the npm builds are git snapshots told apart by libavutil", () => {
    const ffmpeg = toolVersion(require("@ffmpeg-installer/ffmpeg").path);
    const ffprobe = toolVersion(require("@ffprobe-installer/ffprobe").path);
    expect(ffmpeg).toEqual({ version: "N-47683-g0e8eb07980-static", libavutil: [56, 24, 101] });
    expect(ffprobe?.libavutil?.[0]).toBe(58);
    expect(compareBuilds(ffprobe, ffmpeg)).toBeGreaterThan(0);
  });

  test("a distribution's version string and libavutil are read; anything else is not ffmpeg", () => {
    const debian = "ffmpeg version 5.1.6-0+deb12u1 Copyright (c) 2000-2024 the FFmpeg developers\nbuilt with gcc 12\nlibavutil      57. 28.100 / 57. 28.100\n";
    expect(parseVersionOutput(debian)).toEqual({ version: "5.1.6-0+deb12u1", libavutil: [57, 28, 100] });
    expect(parseVersionOutput("ffprobe version n7.1 Copyright\n")).toEqual({ version: "n7.1", libavutil: null });
    expect(parseVersionOutput("usage: something else")).toBeNull();
    expect(describeBuild(parseVersionOutput(debian))).toBe("5.1.6-0+deb12u1 (libavutil 57.28.100)");
    expect(compareBuilds(parseVersionOutput(debian), { version: "x", libavutil: null })).toBe(0);
  });

  test("an answer is cached on disk until the binary changes", () => {
    const dir = mkdtempSync(join(tmpdir(), "vpo-tool-version-"));
    const bin = join(dir, "ffmpeg");
    const calls = join(dir, "calls");
    const script = (version: string) => `#!/bin/sh\necho run >> "${calls}"\necho "ffmpeg version ${version} Copyright"\necho "libavutil      59. 39.100 / 59. 39.100"\n`;
    writeFileSync(bin, script("7.1"));
    chmodSync(bin, 0o755);
    const previous = process.env.VPO_DATA_DIR;
    process.env.VPO_DATA_DIR = dir;
    try {
      expect(toolVersion(bin)?.version).toBe("7.1");
      expect(toolVersion(bin)?.version).toBe("7.1");
      expect(JSON.parse(readFileSync(join(dir, "cache/tool-versions.json"), "utf8"))[bin].build.version).toBe("7.1");
      expect(readFileSync(calls, "utf8")).toBe("run\n");
      writeFileSync(bin, script("7.1.1 "));
      expect(toolVersion(bin)?.version).toBe("7.1.1");
      expect(readFileSync(calls, "utf8")).toBe("run\nrun\n");
    } finally {
      if (previous === undefined) delete process.env.VPO_DATA_DIR;
      else process.env.VPO_DATA_DIR = previous;
    }
  });
});
