import { describe, expect, test } from "bun:test";
import type { MediaInfo, MediaStream } from "../core/mod.ts";
import type { MediaState } from "./plan/types.ts";
import { verifyOutput } from "./verify.ts";

const stream = (index: number, type: MediaStream["type"], codec: string): MediaStream =>
  ({ index, type, codec, language: null, title: null, isDefault: false, isForced: false });
const expected: MediaState = {
  container: "matroska", ext: ".mkv", durationSeconds: 10, bitRate: null,
  tracks: [{ ...stream(0, "video", "hevc"), sourceIndex: 0 }, { ...stream(1, "audio", "aac"), sourceIndex: 2 }],
};
const actual = (streams: MediaStream[], durationSeconds: number | null = 10.4): MediaInfo =>
  ({ path: "/m/out.mkv", container: "matroska", durationSeconds, bitRate: null, sizeBytes: 1, streams });

describe("verifyOutput", () => {
  test("an output with the planned streams, codecs and duration passes", () => {
    expect(verifyOutput(expected, 10, actual([stream(0, "video", "hevc"), stream(1, "audio", "aac")]))).toEqual([]);
  });

  test("missing streams, wrong codecs and a short duration are each named", () => {
    expect(verifyOutput(expected, 10, actual([stream(0, "video", "h264")], 8.5))).toEqual([
      "video #1 is h264, planned hevc",
      "1 audio stream(s) planned, 0 found",
      "duration 8.50 s differs from the source's 10.00 s by more than 1 s",
    ]);
    expect(verifyOutput(expected, 10, actual([stream(0, "video", "hevc"), stream(1, "audio", "aac")], null))).toEqual(["output has no readable duration"]);
  });
});
