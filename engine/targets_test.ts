/**
 * Every documented transcode target works with the ffmpeg vpo ships (the npm build, ffmpeg 4.1,
 * the oldest vpo may run on), into both containers: the planner's encoder options and the phase's
 * command line are run for real on a 1 s 160x90 clip, and ffprobe checks the codecs written.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MediaInfo } from "../core/mod.ts";
import { phaseArgs } from "./ffmpeg_args.ts";
import { runChild } from "./child.ts";
import { planFile } from "./plan/plan.ts";
import { parsePolicy } from "./policy/load.ts";
import { createProbe } from "./probe.ts";

const require = createRequire(import.meta.url);
const BUNDLED = { ffmpeg: require("@ffmpeg-installer/ffmpeg").path as string, ffprobe: require("@ffprobe-installer/ffprobe").path as string };
const probe = createProbe(BUNDLED);
const dir = mkdtempSync(join(tmpdir(), "vpo-targets-"));

let source: MediaInfo;
beforeAll(async () => {
  // mpeg4 video and PCM audio: neither is a target, so every target means a real encode.
  const path = join(dir, "source.mkv");
  const made = Bun.spawnSync([
    BUNDLED.ffmpeg, "-hide_banner", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=160x90:rate=5:duration=1",
    "-f", "lavfi", "-i", "sine=frequency=440:duration=1:sample_rate=48000", "-c:v", "mpeg4", "-c:a", "pcm_s16le", "-ac", "2", path,
  ]);
  expect(made.stderr.toString()).toBe("");
  source = await probe(path);
});

/** Video and audio targets paired, so each run encodes one of each. */
const PAIRS = [["hevc", "aac"], ["h264", "opus"], ["av1", "ac3"], ["vp9", "eac3"]] as const;

describe("documented transcode targets with the bundled ffmpeg 4.1", () => {
  for (const container of ["mkv", "mp4"] as const) {
    for (const [video, audio] of PAIRS) {
      test(`${video} + ${audio} into ${container}`, async () => {
        const policy = parsePolicy(
          `schema_version: 13
phases:
  - name: encode
    container: { target: ${container} }
    transcode:
      video: { to: ${video}, crf: 40, preset: ultrafast }
      audio: { to: ${audio}, bitrate: 96k }
`,
          "targets",
        );
        const phase = planFile(source, policy).phases[0]!;
        const output = join(dir, `${video}-${audio}.${container}`);
        const run = await runChild([BUNDLED.ffmpeg, ...phaseArgs(phase, source, output)]);
        expect(run.error).toBe("");
        expect(run.exitCode).toBe(0);
        const written = await probe(output);
        expect(written.streams.map((s) => `${s.type}:${s.codec}`)).toEqual([`video:${video}`, `audio:${audio}`]);
      });
    }
  }
});
