import { describe, expect, test } from "bun:test";
import type { MediaInfo, MediaStream } from "../../core/mod.ts";
import { parsePolicy } from "../policy/load.ts";
import { planFile } from "./plan.ts";

let index = 0;
const s = (type: MediaStream["type"], codec: string, extra: Partial<MediaStream> = {}): MediaStream => ({
  index: index++, type, codec, language: null, title: null, isDefault: false, isForced: false, width: null, height: null, channels: null, bitRate: null, ...extra,
});
function media(path: string, container: string, streams: MediaStream[], bitRate = 5_000_000): MediaInfo {
  index = 0;
  return { path, container, durationSeconds: 2, bitRate, sizeBytes: 1000, streams: streams.map((x, i) => ({ ...x, index: i })) };
}

const policy = (phases: string, config = "config: { audio_languages: [jpn, eng], subtitle_languages: [eng] }") =>
  parsePolicy(`schema_version: 13\n${config}\nphases:\n${phases}`, "test");

const MULTI = () => media("/m/a.mkv", "matroska", [
  s("video", "h264", { width: 1920, height: 1080 }),
  s("audio", "aac", { language: "eng", isDefault: true }),
  s("audio", "aac", { language: "jpn" }),
  s("audio", "opus", { language: "fre" }),
  s("subtitle", "subrip", { language: "eng" }),
  s("subtitle", "subrip", { language: "fre", isForced: true }),
  s("attachment", "ttf"),
]);

const summary = (plan: ReturnType<typeof planFile>) => plan.phases.flatMap((p) => p.actions.map((a) => `${a.type} ${a.trackType ?? "file"}#${a.trackIndex ?? "-"} ${a.rule}`));

describe("planner", () => {
  test("each action carries the rule that caused it; removals follow the language lists", () => {
    const plan = planFile(MULTI(), policy(`  - name: filter
    keep_audio: { languages: [jpn, eng], minimum: 1 }
    keep_subtitles: { preserve_forced: true }
    filter_attachments: { remove_all: true }
`));
    expect(summary(plan)).toEqual([
      "keep audio#1 phases[0].keep_audio.languages",
      "keep audio#2 phases[0].keep_audio.languages",
      "remove audio#3 phases[0].keep_audio.languages",
      "keep subtitle#4 config.subtitle_languages",
      "keep subtitle#5 phases[0].keep_subtitles.preserve_forced",
      "remove attachment#6 phases[0].filter_attachments.remove_all",
    ]);
    expect(plan.changes).toBe(true);
    expect(plan.phases[0]!.output.tracks.map((t) => t.sourceIndex)).toEqual([0, 1, 2, 4, 5]);
  });

  test("minimum is never violated: the last audio track stays though no language matches, the default one first", () => {
    const one = media("/m/b.mkv", "matroska", [s("video", "h264"), s("audio", "ac3", { language: "ger" })]);
    const plan = planFile(one, policy("  - name: f\n    keep_audio: { languages: [jpn], minimum: 1 }\n"));
    expect(summary(plan)).toEqual(["keep audio#1 phases[0].keep_audio.minimum"]);
    expect(plan.changes).toBe(false);

    const two = media("/m/c.mkv", "matroska", [s("video", "h264"), s("audio", "aac", { language: "ger" }), s("audio", "aac", { language: "spa", isDefault: true })]);
    expect(summary(planFile(two, policy("  - name: f\n    keep_audio: { languages: [jpn], minimum: 1 }\n")))).toEqual([
      "remove audio#1 phases[0].keep_audio.languages",
      "keep audio#2 phases[0].keep_audio.minimum",
    ]);
  });

  test("skip_if needs every condition to hold; the reason names them", () => {
    const hevc = media("/m/h.mkv", "matroska", [s("video", "hevc", { width: 1920, height: 1080 })], 8_000_000);
    const skip = planFile(hevc, policy("  - name: c\n    transcode: { video: { to: hevc, skip_if: { codec_matches: [hevc, h265], resolution_within: 1080p, bitrate_under: 15M } } }\n"));
    expect(summary(skip)).toEqual(["skip_transcode video#0 phases[0].transcode.video.skip_if.codec_matches"]);
    expect(skip.intent).toEqual({ videoTargetCodec: "hevc", videoSkipReason: "codec_matches+resolution_within+bitrate_under", videoEncoder: null });
    expect(skip.changes).toBe(false);

    const heavy = media("/m/h.mkv", "matroska", [s("video", "hevc", { width: 1920, height: 1080 })], 20_000_000);
    const go = planFile(heavy, policy("  - name: c\n    transcode: { video: { to: hevc, crf: 20, preset: slow, skip_if: { codec_matches: [hevc], bitrate_under: 15M } } }\n"));
    expect(summary(go)).toEqual(["transcode video#0 phases[0].transcode.video.to"]);
    expect(go.intent).toEqual({ videoTargetCodec: "hevc", videoSkipReason: null, videoEncoder: "libx265" });
    expect(go.phases[0]!.encodes.get(0)!.options).toEqual([["-crf", "20"], ["-preset", "slow"], ["-x265-params", "log-level=error"]]);
  });

  test("a video already in the target codec is left alone unless it must be scaled down", () => {
    const uhd = media("/m/u.mkv", "matroska", [s("video", "hevc", { width: 3840, height: 2160 })]);
    expect(summary(planFile(uhd, policy("  - name: c\n    transcode: { video: { to: hevc } }\n")))).toEqual(["skip_transcode video#0 phases[0].transcode.video.to"]);
    const scaled = planFile(uhd, policy("  - name: c\n    transcode: { video: { to: hevc, max_resolution: 1080p } }\n"));
    expect(scaled.phases[0]!.encodes.get(0)!.scaleHeight).toBe(1080);
    expect(scaled.phases[0]!.output.tracks[0]).toMatchObject({ width: 1920, height: 1080, codec: "hevc" });
  });

  test("audio: preserved codecs and tracks already in the target are copied, the rest transcoded", () => {
    const file = media("/m/a.mkv", "matroska", [s("video", "h264"), s("audio", "truehd"), s("audio", "aac"), s("audio", "dts")]);
    const plan = planFile(file, policy("  - name: c\n    transcode: { audio: { preserve: [truehd], to: aac, bitrate: 192k } }\n"));
    expect(summary(plan)).toEqual([
      "keep audio#1 phases[0].transcode.audio.preserve",
      "keep audio#2 phases[0].transcode.audio.to",
      "transcode audio#3 phases[0].transcode.audio.to",
    ]);
    expect(plan.phases[0]!.encodes.get(3)).toEqual({ encoder: "aac", codec: "aac", options: [["-b", "192000"]] });
  });

  test("mkv → mp4 converts text subtitles, drops fonts and bitmap subtitles, and renames the file", () => {
    const file = media("/m/a.mkv", "matroska", [s("video", "h264"), s("subtitle", "subrip"), s("subtitle", "hdmv_pgs_subtitle"), s("attachment", "ttf")]);
    const plan = planFile(file, policy("  - name: c\n    container: { target: mp4 }\n"));
    expect(summary(plan)).toEqual([
      "transcode subtitle#1 phases[0].container.target",
      "remove subtitle#2 phases[0].container.target",
      "remove attachment#3 phases[0].container.target",
      "container file#- phases[0].container.target",
    ]);
    expect(plan.finalPath).toBe("/m/a.mp4");
    expect(planFile(media("/m/b.mp4", "mov", [s("video", "h264")]), policy("  - name: c\n    container: { target: mp4 }\n")).changes).toBe(false);
  });

  test("later phases plan on what earlier phases leave; a file with nothing to do is unchanged", () => {
    const plan = planFile(MULTI(), policy(`  - name: filter
    keep_audio: { languages: [fre] }
  - name: compress
    transcode: { audio: { to: aac } }
`));
    expect(plan.phases[1]!.input.tracks.filter((t) => t.type === "audio").map((t) => t.sourceIndex)).toEqual([3]);
    expect(summary(plan).at(-1)).toBe("transcode audio#3 phases[1].transcode.audio.to");

    const clean = media("/m/clean.mkv", "matroska", [s("video", "hevc"), s("audio", "aac", { language: "jpn" })]);
    const none = planFile(clean, policy("  - name: f\n    keep_audio: { languages: [jpn] }\n    filter_attachments: { remove_all: true }\n  - name: c\n    transcode: { video: { to: hevc, skip_if: { codec_matches: [hevc] } } }\n"));
    expect(none.changes).toBe(false);
    expect(none.phases.every((p) => !p.changes)).toBe(true);
  });

  test("each phase carries its share of the intent as plain data; the last phase planning video decides the run's", () => {
    const plan = planFile(MULTI(), policy(`  - name: filter
    keep_audio: { languages: [eng] }
  - name: first
    transcode: { video: { to: hevc } }
  - name: second
    transcode: { video: { to: av1 } }
`));
    expect(plan.phases.map((p) => p.intent.videoTargetCodec ?? null)).toEqual([null, "hevc", "av1"]);
    expect(plan.intent).toEqual(plan.phases[2]!.intent);
    // A plan copied as data (structuredClone, JSON) keeps its intents: nothing hides in a side table.
    expect(structuredClone(plan.phases).map((p) => p.intent)).toEqual(plan.phases.map((p) => p.intent));
  });
});
