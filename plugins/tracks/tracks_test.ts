import { afterAll, describe, expect, test } from "bun:test";
import { stat } from "node:fs/promises";
import { runCapture } from "../../core/mod.ts";
import { rawStreams, rewriteInPlace } from "../../tests/fixtures/ffmpeg.ts";
import { captureWith, KEEP_FIRST_AUDIO, scratch } from "../../tests/fixtures/plugin_run.ts";
import { createSizePlugin } from "../size/mod.ts";
import tracksPlugin, { createTracksPlugin } from "./mod.ts";

const tmp = await scratch("tracks");
afterAll(tmp.cleanup);
const begin = (filePath: string) => ({ filePath, policyName: "strip-audio" });

/** What ffprobe itself lists: stream count and per-language counts of one type. */
async function ffprobeCounts(path: string, type: string) {
  const streams = await rawStreams(path, type);
  const languages: Record<string, number> = {};
  for (const s of streams) languages[s.tags?.language ?? "und"] = (languages[s.tags?.language ?? "und"] ?? 0) + 1;
  return { count: streams.length, languages };
}

describe("tracks plugin", () => {
  test("counts the tracks ffprobe lists before and after ffmpeg drops two audio tracks, with per-language counts", async () => {
    const file = await tmp.copy("multi");
    const [audio, subs, atts, video] = await Promise.all(["audio", "subtitle", "attachment", "video"].map((t) => ffprobeCounts(file, t)));
    const record = await runCapture(captureWith(createTracksPlugin()), begin(file), async () => {
      await rewriteInPlace(file, KEEP_FIRST_AUDIO);
    });
    const [audioAfter, subsAfter, attsAfter] = await Promise.all(["audio", "subtitle", "attachment"].map((t) => ffprobeCounts(file, t)));

    expect(record.plugin_errors).toEqual([]);
    expect([record.audio_tracks_before, record.audio_tracks_after, record.audio_tracks_removed]).toEqual([audio!.count, audioAfter!.count, 2]);
    expect([record.subtitle_tracks_before, record.subtitle_tracks_after, record.subtitle_tracks_removed]).toEqual([subs!.count, subsAfter!.count, 0]);
    expect([record.attachments_before, record.attachments_after, record.attachments_removed]).toEqual([atts!.count, attsAfter!.count, 0]);
    expect(audio!.languages).toEqual({ eng: 1, jpn: 1, fre: 1 });
    expect(record.plugin_metrics.tracks).toEqual({
      video_tracks_before: video!.count,
      video_tracks_after: 1,
      "audio_languages_before.eng": 1,
      "audio_languages_before.jpn": 1,
      "audio_languages_before.fre": 1,
      "audio_languages_after.eng": 1,
      "subtitle_languages_before.eng": 1,
      "subtitle_languages_before.fre": 1,
      "subtitle_languages_after.eng": 1,
      "subtitle_languages_after.fre": 1,
    });
  });

  test("a track without a language tag is counted under und", async () => {
    const file = await tmp.copy("hevc");
    const record = await runCapture(captureWith(tracksPlugin), begin(file), async () => {
      await rewriteInPlace(file, ["-map", "0", "-c", "copy", "-metadata:s:a:0", "language="]);
    });
    expect((await rawStreams(file, "audio"))[0]!.tags?.language).toBeUndefined();
    expect(record.plugin_metrics.tracks).toMatchObject({ "audio_languages_before.eng": 1, "audio_languages_after.und": 1 });
    expect(record.audio_tracks_removed).toBe(0);
  });

  test("a file without audio has zero audio tracks and no audio language counts", async () => {
    const file = await tmp.copy("silent");
    const record = await runCapture(captureWith(createTracksPlugin()), begin(file), async () => {});
    expect([record.audio_tracks_before, record.audio_tracks_after, record.subtitle_tracks_after, record.attachments_after]).toEqual([0, 0, 0, 0]);
    expect(record.plugin_metrics.tracks).toEqual({ video_tracks_before: 1, video_tracks_after: 1 });
  });

  test("an unreadable (truncated) file makes the hooks fail as recorded plugin errors while other plugins' data is kept", async () => {
    const file = await tmp.copy("truncated");
    const record = await runCapture(captureWith(createSizePlugin(), createTracksPlugin()), begin(file), async () => {});
    expect(record.success).toBe(true);
    expect(record.plugin_errors.map((e) => [e.plugin, e.hook, e.code])).toEqual([
      ["tracks", "beforeRun", "PLUGIN_HOOK_FAILED"],
      ["tracks", "afterRun", "PLUGIN_HOOK_FAILED"],
    ]);
    expect(record.plugin_errors[0]!.message).toContain(`Cannot read media file "${file}"`);
    expect(record.audio_tracks_before).toBeNull();
    expect(record.audio_tracks_after).toBeNull();
    expect(record.plugin_metrics.tracks).toBeUndefined();
    expect(record.size_before).toBe((await stat(file)).size);
  });

  test("a failed run that removed the file keeps the before counts and records the after counts as null", async () => {
    const file = await tmp.copy("multi");
    const record = await runCapture(captureWith(createTracksPlugin()), begin(file), async () => {
      await Bun.file(file).delete();
      throw new Error("ffmpeg exited with code 1");
    });
    expect(record.plugin_errors).toEqual([]);
    expect([record.audio_tracks_before, record.audio_tracks_after, record.audio_tracks_removed]).toEqual([3, null, null]);
    expect(record.plugin_metrics.tracks).toMatchObject({ video_tracks_before: 1, video_tracks_after: null, audio_languages_after: null });
  });
});
