import { afterAll, describe, expect, test } from "bun:test";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { createRegistry, runCapture } from "../core/mod.ts";
import { describePlugin } from "../kit/mod.ts";
import { rawStreams, rewriteInPlace } from "../tests/fixtures/ffmpeg.ts";
import { captureWith, KEEP_FIRST_AUDIO, scratch } from "../tests/fixtures/plugin_run.ts";
import { builtinPlugins, createHashPlugin } from "./mod.ts";

const tmp = await scratch("builtins");
afterAll(tmp.cleanup);

describe("builtinPlugins", () => {
  test("returns size, hash, tracks, transcode, timing in that order, all registrable together", () => {
    const plugins = builtinPlugins();
    expect(plugins.map((p) => p.name)).toEqual(["size", "hash", "tracks", "transcode", "timing"]);
    const registry = createRegistry();
    for (const p of plugins) registry.register(p);
    expect(registry.plugins).toHaveLength(5);
  });

  test("passes hash options through and rejects unknown ones as INVALID_CONFIG", async () => {
    const file = await tmp.copy("clip");
    const record = await runCapture(captureWith(...builtinPlugins({ hash: { full: true } })), { filePath: file, policyName: "p" }, async () => {});
    expect(record.plugin_metrics.hash).toEqual({ mode: "full" });
    expect(() => builtinPlugins({ hash: { ful: true } })).toThrow(expect.objectContaining({ code: "INVALID_CONFIG", message: expect.stringContaining('plugin "hash"') }));
    expect(() => builtinPlugins({ hash: { full: "yes" } })).toThrow(expect.objectContaining({ code: "INVALID_CONFIG" }));
  });

  test("together they fill every typed column of a run that drops two audio tracks", async () => {
    const file = await tmp.copy("multi");
    const sizeBefore = (await stat(file)).size;
    const record = await runCapture(captureWith(...builtinPlugins()), { filePath: file, policyName: "strip", phasesTotal: 1 }, async (run) => {
      const phase = run.startPhase("remux");
      await rewriteInPlace(file, KEEP_FIRST_AUDIO);
      await phase.end({ bytesRead: sizeBefore, bytesWritten: (await stat(file)).size });
      await run.action({ type: "remove", trackType: "audio", trackIndex: 2, durationMs: 1 });
      await run.action({ type: "remove", trackType: "audio", trackIndex: 3, durationMs: 1 });
    });
    const sizeAfter = (await stat(file)).size;
    expect(record.plugin_errors).toEqual([]);
    expect(record).toMatchObject({
      success: true,
      size_before: sizeBefore,
      size_after: sizeAfter,
      size_change: sizeBefore - sizeAfter,
      audio_tracks_before: 3,
      audio_tracks_after: (await rawStreams(file, "audio")).length,
      audio_tracks_removed: 2,
      subtitle_tracks_removed: 0,
      attachments_removed: 0,
      video_source_codec: "h264",
      video_target_codec: "h264",
      video_transcode_skipped: null,
      audio_tracks_transcoded: null,
      encoder_type: null,
      phases_completed: 1,
    });
    expect(record.hash_before).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(record.hash_after).not.toBe(record.hash_before);
    expect(record.duration_seconds).toBeGreaterThan(0);
    expect(Object.keys(record.plugin_metrics).sort()).toEqual(["hash", "size", "timing", "tracks", "transcode"]);
  });
});

// The built-ins pass the plugin kit, in-process and in a worker as a third-party plugin would run.
for (const plugin of builtinPlugins()) {
  describePlugin(plugin, {
    module: join(import.meta.dir, plugin.name, "mod.ts"),
    // Every built-in must cope with a run that re-encodes the file: vpo's policies do.
    capabilities: { transcodes: true },
    options: plugin.name === "hash" ? { factory: createHashPlugin, valid: [{}, { full: true }], invalid: [{ ful: true }, { full: "yes" }] } : undefined,
  });
}
