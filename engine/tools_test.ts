import { describe, expect, test } from "bun:test";
import { createRequire } from "node:module";
import { locateTool, resolveTools } from "./tools.ts";

const require = createRequire(import.meta.url);

describe("resolveTools", () => {
  test("a configured path that exists is used as is", () => {
    const ffprobe = require("@ffprobe-installer/ffprobe").path as string;
    const ffmpeg = require("@ffmpeg-installer/ffmpeg").path as string;
    expect(resolveTools({ ffmpeg, ffprobe })).toEqual({ ffmpeg, ffprobe });
  });

  test("a configured path that does not exist is TOOL_MISSING naming that path", () => {
    expect(() => resolveTools({ ffprobe: "/nowhere/ffprobe" })).toThrow(
      expect.objectContaining({ code: "TOOL_MISSING", message: expect.stringContaining('"/nowhere/ffprobe"') }),
    );
  });

  test("without config, PATH is tried first and then the npm installer binaries", () => {
    const tools = resolveTools();
    for (const tool of ["ffmpeg", "ffprobe"] as const) {
      const expected = Bun.which(tool) ?? require(`@${tool}-installer/${tool}`).path;
      expect(tools[tool]).toBe(expected);
    }
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
    const sources = { which: () => null, npm: () => ({ problem: 'npm package "@ffprobe-installer/ffprobe" is unavailable (not installed)' }) };
    expect(() => locateTool("ffprobe", undefined, sources)).toThrow(
      expect.objectContaining({
        code: "TOOL_MISSING",
        message: expect.stringMatching(/^Cannot find ffprobe: not configured, "ffprobe" is not on PATH, and npm package "@ffprobe-installer\/ffprobe" is unavailable/),
      }),
    );
  });

  test("PATH wins over the npm package, and the npm package is the last resort", () => {
    const npm = () => ({ path: "/npm/ffmpeg" });
    expect(locateTool("ffmpeg", undefined, { which: (n) => `/usr/bin/${n}`, npm })).toBe("/usr/bin/ffmpeg");
    expect(locateTool("ffmpeg", undefined, { which: () => null, npm })).toBe("/npm/ffmpeg");
  });
});
