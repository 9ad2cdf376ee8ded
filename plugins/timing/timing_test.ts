import { afterAll, describe, expect, test } from "bun:test";
import { stat } from "node:fs/promises";
import { definePlugin, runCapture } from "../../core/mod.ts";
import { readProgress, summarizeProgress } from "../../engine/ffmpeg_progress.ts";
import { resolveTools } from "../../engine/tools.ts";
import { rewriteInPlace } from "../../tests/fixtures/ffmpeg.ts";
import { captureWith, KEEP_FIRST_AUDIO, scratch } from "../../tests/fixtures/plugin_run.ts";
import timingPlugin, { createTimingPlugin } from "./mod.ts";

const tmp = await scratch("timing");
afterAll(tmp.cleanup);
const begin = (filePath: string) => ({ filePath, policyName: "timed" });

/** A real ffmpeg transcode with -progress, returning what the engine would report for the phase. */
async function transcodeWithProgress(src: string, dst: string) {
  const started = performance.now();
  const proc = Bun.spawn(
    [resolveTools().ffmpeg, "-hide_banner", "-nostdin", "-v", "error", "-y", "-i", src, "-map", "0:v", "-c:v", "libx264", "-preset", "ultrafast",
      "-progress", "pipe:1", "-nostats", dst],
    { stdout: "pipe", stderr: "ignore" },
  );
  const blocks = await readProgress(proc.stdout);
  if ((await proc.exited) !== 0) throw new Error("ffmpeg failed");
  return summarizeProgress(blocks, { wallTimeSeconds: (performance.now() - started) / 1000 });
}

describe("timing plugin", () => {
  test("records phase wall times, action time and encoder figures from a real ffmpeg transcode and a remux", async () => {
    const file = await tmp.copy("multi");
    const outer = performance.now();
    const record = await runCapture(captureWith(createTimingPlugin()), begin(file), async (run) => {
      const encode = run.startPhase("transcode");
      const summary = await transcodeWithProgress(file, `${file}.video.mkv`);
      await encode.end({ encodingFps: summary.meanFps, encodingBitrate: summary.finalBitrate, bytesWritten: summary.totalSize });
      await run.action({ type: "transcode", trackType: "video", trackIndex: 0, durationMs: 120 });
      const remux = run.startPhase("remux");
      await rewriteInPlace(file, KEEP_FIRST_AUDIO);
      await remux.end();
      await run.action({ type: "remove", trackType: "audio", trackIndex: 2, durationMs: 3.5 });
      await run.action({ type: "remove", trackType: "audio", trackIndex: 3 });
    });
    const outerSeconds = (performance.now() - outer) / 1000;
    const [encode, remux] = record.phases;
    const m = record.plugin_metrics.timing!;

    expect(record.plugin_errors).toEqual([]);
    expect(m.phase_count).toBe(2);
    expect(m["phase.transcode.wall_time_seconds"]).toBe(encode!.wall_time_seconds!);
    expect(m["phase.remux.wall_time_seconds"]).toBe(remux!.wall_time_seconds!);
    expect(m.phases_wall_time_seconds).toBeCloseTo(encode!.wall_time_seconds! + remux!.wall_time_seconds!, 9);
    expect(m.action_time_ms).toBe(123.5);
    expect(encode!.encoding_fps).toBeGreaterThan(0);
    expect(m.encoding_fps_avg).toBe(encode!.encoding_fps!);
    expect(m.encoding_bitrate_avg).toBe(encode!.encoding_bitrate!);
    expect(encode!.bytes_written).toBe((await stat(`${file}.video.mkv`)).size);
    expect(record.duration_seconds!).toBeGreaterThanOrEqual(m.phases_wall_time_seconds as number);
    expect(record.duration_seconds!).toBeLessThanOrEqual(outerSeconds);
  });

  test("duration covers the processing, not the time other plugins spend in their hooks", async () => {
    const file = await tmp.copy("clip");
    const slow = definePlugin({
      name: "slow",
      version: "1.0.0",
      beforeRun: () => Bun.sleep(300),
      afterRun: () => Bun.sleep(300),
    });
    const record = await runCapture(captureWith(slow, createTimingPlugin()), begin(file), () => Bun.sleep(50));
    expect(record.duration_seconds!).toBeGreaterThanOrEqual(0.045);
    expect(record.duration_seconds!).toBeLessThan(0.3);
  });

  test("concurrent runs keep their own clocks", async () => {
    const capture = captureWith(timingPlugin);
    const [fast, slow] = await Promise.all([
      runCapture(capture, begin(await tmp.copy("silent")), () => Bun.sleep(20)),
      runCapture(capture, begin(await tmp.copy("hevc")), () => Bun.sleep(400)),
    ]);
    expect(fast.duration_seconds!).toBeLessThan(0.3);
    expect(slow.duration_seconds!).toBeGreaterThanOrEqual(0.39);
  });

  test("a run without phases or actions has zero phase time and null averages", async () => {
    const record = await runCapture(captureWith(createTimingPlugin()), begin(await tmp.copy("silent")), async () => {});
    expect(record.plugin_metrics.timing).toEqual({
      phase_count: 0, phases_wall_time_seconds: 0, action_time_ms: null, encoding_fps_avg: null, encoding_bitrate_avg: null,
    });
    expect(record.duration_seconds).toBeGreaterThanOrEqual(0);
  });

  test("phases sharing a name add up, and averages only use the phases that reported a figure", async () => {
    const record = await runCapture(captureWith(createTimingPlugin()), begin(await tmp.copy("silent")), async (run) => {
      await run.startPhase("pass").end({ encodingFps: 100, encodingBitrate: 1_000_000 });
      await run.startPhase("pass").end({ encodingFps: 50 });
      await run.startPhase("verify").end();
    });
    const m = record.plugin_metrics.timing!;
    const passes = record.phases.filter((p) => p.phase_name === "pass").reduce((s, p) => s + p.wall_time_seconds!, 0);
    expect(m["phase.pass.wall_time_seconds"]).toBeCloseTo(passes, 9);
    expect(m.encoding_fps_avg).toBe(75);
    expect(m.encoding_bitrate_avg).toBe(1_000_000);
  });
});
