import { describe, expect, test } from "bun:test";
import { createRequire } from "node:module";
import { locateTool, resolveTools, type ToolSources } from "./tools.ts";
import type { ToolVersion } from "./tool_versions.ts";

const require = createRequire(import.meta.url);

const build = (version: string, libavutil: [number, number, number] | null): ToolVersion => ({ version, libavutil });
const OLD = build("N-47683-g0e8eb07980-static", [56, 24, 101]); // the npm build of ffmpeg
const NEW = build("7.1.1", [59, 39, 100]);

/** PATH and npm both have an ffmpeg, with these builds (null: it does not run). */
function both(system: ToolVersion | null, bundled: ToolVersion | null): ToolSources {
  return {
    which: (name) => `/usr/bin/${name}`,
    npm: (tool) => ({ path: `/npm/${tool}` }),
    version: (path) => (path.startsWith("/usr/bin/") ? system : bundled),
  };
}

describe("resolveTools", () => {
  test("a configured path that exists is used as is", () => {
    const ffprobe = require("@ffprobe-installer/ffprobe").path as string;
    const ffmpeg = require("@ffmpeg-installer/ffmpeg").path as string;
    expect(resolveTools({ ffmpeg, ffprobe })).toEqual({ ffmpeg, ffprobe });
    expect(locateTool("ffmpeg", ffmpeg)).toEqual({ path: ffmpeg, source: "config" });
  });

  test("a configured path that does not exist is TOOL_MISSING naming that path", () => {
    expect(() => resolveTools({ ffprobe: "/nowhere/ffprobe" })).toThrow(
      expect.objectContaining({ code: "TOOL_MISSING", message: expect.stringContaining('"/nowhere/ffprobe"') }),
    );
  });

  test("results are cached per config: the same config returns the same object", () => {
    expect(resolveTools()).toBe(resolveTools({}));
    const ffmpeg = resolveTools().ffmpeg;
    expect(resolveTools({ ffmpeg })).toBe(resolveTools({ ffmpeg }));
    expect(resolveTools({ ffmpeg })).not.toBe(resolveTools());
  });

  test("the resolved binaries run", async () => {
    const { ffmpeg, ffprobe } = resolveTools();
    for (const bin of [ffmpeg, ffprobe]) {
      const proc = Bun.spawn([bin, "-version"], { stdout: "pipe", stderr: "ignore" });
      expect(await new Response(proc.stdout).text()).toContain("version");
      expect(await proc.exited).toBe(0);
    }
  });

  test("found nowhere: TOOL_MISSING says what was looked for and why the npm fallback failed", () => {
    const sources = { which: () => null, npm: () => ({ problem: 'npm package "@ffprobe-installer/ffprobe" is unavailable (not installed)' }), version: () => null };
    expect(() => locateTool("ffprobe", undefined, sources)).toThrow(
      expect.objectContaining({
        code: "TOOL_MISSING",
        message: expect.stringMatching(/^Cannot find ffprobe: not configured, "ffprobe" is not on PATH, and npm package "@ffprobe-installer\/ffprobe" is unavailable/),
      }),
    );
  });

  test("the ffmpeg on PATH is used when it is a newer build than the npm one, with the reason", () => {
    expect(locateTool("ffmpeg", undefined, both(NEW, OLD))).toEqual({
      path: "/usr/bin/ffmpeg",
      source: "path",
      reason: "newer than the npm build (N-47683-g0e8eb07980-static (libavutil 56.24.101))",
    });
  });

  test("the npm build stays when PATH's is older, the same, or of unknown age", () => {
    for (const system of [build("4.0", [56, 14, 100]), OLD, build("custom", null), null]) {
      const located = locateTool("ffmpeg", undefined, both(system, OLD));
      expect(located.path).toBe("/npm/ffmpeg");
      expect(located.reason).toStartWith("the ffmpeg on PATH (/usr/bin/ffmpeg, ");
    }
  });

  test("PATH's is used when the npm build does not run; either alone is used as it is", () => {
    expect(locateTool("ffmpeg", undefined, both(OLD, null))).toMatchObject({ path: "/usr/bin/ffmpeg", source: "path" });
    const none = () => null;
    expect(locateTool("ffmpeg", undefined, { which: (n) => `/usr/bin/${n}`, npm: () => ({ problem: "absent" }), version: none })).toEqual({ path: "/usr/bin/ffmpeg", source: "path" });
    expect(locateTool("ffmpeg", undefined, { which: () => null, npm: () => ({ path: "/npm/ffmpeg" }), version: none })).toEqual({ path: "/npm/ffmpeg", source: "npm" });
  });
});
