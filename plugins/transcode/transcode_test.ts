import { afterAll, describe, expect, test } from "bun:test";
import { runCapture, type RunIntent } from "../../core/mod.ts";
import { rawStreams, rewriteInPlace } from "../../tests/fixtures/ffmpeg.ts";
import { captureWith, KEEP_FIRST_AUDIO, scratch } from "../../tests/fixtures/plugin_run.ts";
import transcodePlugin, { createTranscodePlugin, encoderType } from "./mod.ts";

const tmp = await scratch("transcode");
afterAll(tmp.cleanup);
const begin = (filePath: string, intent: RunIntent = {}) => ({ filePath, policyName: "transcode", intent });
const videoCodec = async (path: string) => (await rawStreams(path, "video"))[0]?.codec_name ?? null;
const audioCodecs = async (path: string) => (await rawStreams(path, "audio")).map((s) => s.codec_name);
const TO_HEVC = ["-map", "0", "-c", "copy", "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error"];

describe("transcode plugin, video", () => {
  test("an h264 → hevc transcode with libx265 records the codecs ffprobe reports, not skipped, software encoder", async () => {
    const file = await tmp.copy("multi");
    const source = await videoCodec(file);
    const record = await runCapture(
      captureWith(createTranscodePlugin()),
      begin(file, { videoTargetCodec: "hevc", videoEncoder: "libx265" }),
      async () => rewriteInPlace(file, TO_HEVC),
    );
    expect(record.plugin_errors).toEqual([]);
    expect(source).toBe("h264");
    expect(record.video_source_codec).toBe(source);
    expect(record.video_target_codec).toBe(await videoCodec(file));
    expect(record.video_target_codec).toBe("hevc");
    expect([record.video_transcode_skipped, record.video_skip_reason, record.encoder_type]).toEqual([false, null, "software"]);
    // Audio was stream-copied: same count, same codecs by position.
    expect(await audioCodecs(file)).toEqual(["aac", "aac", "opus"]);
    expect([record.audio_tracks_transcoded, record.audio_tracks_preserved]).toEqual([0, 3]);
    expect(record.plugin_metrics.transcode).toEqual({ video_encoder: "libx265" });
  });

  test("the video height before the run is recorded as the run's video_height (what ffprobe says of the source)", async () => {
    const file = await tmp.copy("multi");
    const height = (await rawStreams(file, "video"))[0]?.height;
    const record = await runCapture(captureWith(createTranscodePlugin()), begin(file), async () => rewriteInPlace(file, [...TO_HEVC, "-vf", "scale=160:90"]));
    expect(height).toBe(180);
    expect(record.video_height).toBe(180);
  });

  test("a transcode the engine skipped is recorded as skipped with its reason and no encoder", async () => {
    const file = await tmp.copy("hevc");
    const record = await runCapture(
      captureWith(transcodePlugin),
      begin(file, { videoTargetCodec: "hevc", videoSkipReason: "codec_matches", videoEncoder: "libx265" }),
      async () => rewriteInPlace(file, ["-map", "0", "-c", "copy"]),
    );
    expect([record.video_source_codec, record.video_target_codec]).toEqual(["hevc", "hevc"]);
    expect([record.video_transcode_skipped, record.video_skip_reason, record.encoder_type]).toEqual([true, "codec_matches", null]);
  });

  test("with no transcode intended and the codec unchanged, skipped and reason are null", async () => {
    const file = await tmp.copy("multi");
    const record = await runCapture(captureWith(createTranscodePlugin()), begin(file), async () => rewriteInPlace(file, KEEP_FIRST_AUDIO));
    expect([record.video_source_codec, record.video_target_codec]).toEqual(["h264", "h264"]);
    expect([record.video_transcode_skipped, record.video_skip_reason, record.encoder_type]).toEqual([null, null, null]);
  });

  test("the encoder is taken from a reported video transcode action when the intent names none", async () => {
    const file = await tmp.copy("hevc");
    const record = await runCapture(captureWith(createTranscodePlugin()), begin(file), async (run) => {
      await rewriteInPlace(file, ["-map", "0", "-c", "copy", "-c:v", "libx264", "-preset", "ultrafast"]);
      await run.action({ type: "transcode", trackType: "video", trackIndex: 0, before: { codec: "hevc" }, after: { codec: "h264", encoder: "libx264" } });
    });
    expect([record.video_source_codec, record.video_target_codec]).toEqual(["hevc", await videoCodec(file)]);
    expect([record.video_transcode_skipped, record.encoder_type]).toEqual([false, "software"]);
  });

  test("a failed run records the intended target codec and an attempted (not skipped) transcode", async () => {
    const file = await tmp.copy("clip");
    const record = await runCapture(captureWith(createTranscodePlugin()), begin(file, { videoTargetCodec: "hevc", videoEncoder: "hevc_nvenc" }), async () => {
      throw new Error("No NVENC capable devices found");
    });
    expect(record.success).toBe(false);
    expect(await videoCodec(file)).toBe("h264");
    expect([record.video_source_codec, record.video_target_codec]).toEqual(["h264", "hevc"]);
    expect([record.video_transcode_skipped, record.encoder_type]).toEqual([false, "hardware"]);
  });

  test("a file without video has null video codecs", async () => {
    const file = await tmp.copy("multi");
    await rewriteInPlace(file, ["-map", "0:a", "-c", "copy"]);
    const record = await runCapture(captureWith(createTranscodePlugin()), begin(file), async () => {});
    expect([record.video_source_codec, record.video_target_codec, record.video_transcode_skipped]).toEqual([null, null, null]);
  });

  test("encoder names ending in a hardware API suffix are hardware, all others software", () => {
    for (const name of ["hevc_nvenc", "h264_vaapi", "av1_qsv", "hevc_amf", "h264_videotoolbox", "h264_v4l2m2m", "HEVC_NVENC"]) {
      expect(encoderType(name)).toBe("hardware");
    }
    for (const name of ["libx265", "libx264", "libsvtav1", "libaom-av1", "nvenc_like"]) expect(encoderType(name)).toBe("software");
  });
});

describe("transcode plugin, audio", () => {
  const OPUS_FIRST = ["-map", "0", "-c", "copy", "-c:a:0", "libopus"];

  test("reported audio transcode actions give the transcoded count; the other surviving tracks are preserved", async () => {
    const file = await tmp.copy("multi");
    const record = await runCapture(captureWith(createTranscodePlugin()), begin(file), async (run) => {
      await rewriteInPlace(file, OPUS_FIRST);
      await run.action({ type: "transcode", trackType: "audio", trackIndex: 1, before: { codec: "aac" }, after: { codec: "opus", encoder: "libopus" } });
    });
    expect(await audioCodecs(file)).toEqual(["opus", "aac", "opus"]);
    expect([record.audio_tracks_transcoded, record.audio_tracks_preserved]).toEqual([1, 2]);
    expect(record.video_transcode_skipped).toBeNull();
  });

  test("without actions, equal track counts are compared by position: a changed codec counts as transcoded", async () => {
    const file = await tmp.copy("multi");
    const record = await runCapture(captureWith(createTranscodePlugin()), begin(file), async () => rewriteInPlace(file, OPUS_FIRST));
    expect([record.audio_tracks_transcoded, record.audio_tracks_preserved]).toEqual([1, 2]);
  });

  test("without actions, when tracks were removed it is unknown which survived, so both counts are null", async () => {
    const file = await tmp.copy("multi");
    const record = await runCapture(captureWith(createTranscodePlugin()), begin(file), async () => rewriteInPlace(file, KEEP_FIRST_AUDIO));
    expect(await audioCodecs(file)).toEqual(["aac"]);
    expect([record.audio_tracks_transcoded, record.audio_tracks_preserved]).toEqual([null, null]);
  });

  test("an unreadable file fails the hooks as recorded plugin errors", async () => {
    const file = await tmp.copy("truncated");
    const record = await runCapture(captureWith(createTranscodePlugin()), begin(file), async () => {});
    expect(record.plugin_errors.map((e) => `${e.plugin}/${e.hook}`)).toEqual(["transcode/beforeRun", "transcode/afterRun"]);
    expect(record.video_source_codec).toBeNull();
  });
});
