import { describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseBitrate, parseProgressText, readProgress, summarizeProgress, type ProgressBlock } from "./ffmpeg_progress.ts";
import { resolveTools } from "./tools.ts";

const fixture = (name: string) => Bun.file(join(import.meta.dir, "../tests/fixtures", name)).text();

/** A stream that delivers `text` in chunks of `size` bytes, splitting lines anywhere. */
function chunked(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

describe("ffmpeg progress parsing of captured ffmpeg 4.1 output", () => {
  test("a libx264 encode yields one block per progress line with fps, bitrate, size, time and speed", async () => {
    const blocks = parseProgressText(await fixture("ffmpeg41_progress.txt"));
    expect(blocks).toHaveLength(8);
    expect(blocks[0]).toEqual({
      frame: 78, fps: 0, bitrateBitsPerSecond: 700, totalSize: 48, outTimeSeconds: 0.580499, speed: 1.15, done: false,
    });
    expect(blocks[1]!.fps).toBe(115.59);
    expect(blocks.at(-1)).toEqual({
      frame: 300, fps: 71.44, bitrateBitsPerSecond: 118_400, totalSize: 177_600, outTimeSeconds: 12.004717, speed: 2.86, done: true,
    });
    expect(blocks.slice(0, -1).every((b) => !b.done)).toBe(true);
  });

  test("an audio-only run to the null muxer has no frame or fps and N/A bitrate and size", async () => {
    const [block, ...rest] = parseProgressText(await fixture("ffmpeg41_progress_audio_null.txt"));
    expect(rest).toHaveLength(0);
    expect(block).toEqual({
      frame: null, fps: null, bitrateBitsPerSecond: null, totalSize: null, outTimeSeconds: 2.043152, speed: 1410, done: true,
    });
  });

  test("the summary leaves out fps samples of 0 and takes the last bitrate as the final one", async () => {
    const summary = summarizeProgress(parseProgressText(await fixture("ffmpeg41_progress.txt")));
    expect(summary.blocks).toBe(8);
    expect(summary.meanFps).toBeCloseTo((115.59 + 97.37 + 89.44 + 85.4 + 83.1 + 80.23 + 71.44) / 7, 6);
    expect(summary.finalFps).toBe(71.44);
    expect(summary.finalBitrate).toBe(118_400);
    expect(summary.meanBitrate).toBeCloseTo((700 + 200 + 100 + 100 + 100 + 100 + 0 + 118_400) / 8, 6);
    expect(summary.totalSize).toBe(177_600);
    expect(summary.frames).toBe(300);
    expect(summary.outTimeSeconds).toBe(12.004717);
    expect(summary.done).toBe(true);
  });
});

describe("ffmpeg progress edge cases", () => {
  test("bitrates are converted to bits per second and N/A or junk becomes null", () => {
    expect(parseBitrate("1234.5kbits/s")).toBe(1_234_500);
    expect(parseBitrate(" 118.3kbits/s")).toBeCloseTo(118_300, 6);
    expect(parseBitrate("2.5Mbits/s")).toBe(2_500_000);
    expect(parseBitrate("800bits/s")).toBe(800);
    expect(parseBitrate("N/A")).toBeNull();
    expect(parseBitrate("")).toBeNull();
    expect(parseBitrate(undefined)).toBeNull();
  });

  test("N/A and negative values in a block become null; out_time is used when the microsecond fields are missing", () => {
    const [block] = parseProgressText(
      ["frame=0", "fps=N/A", "bitrate=N/A", "total_size=N/A", "out_time_us=N/A", "out_time=00:01:02.500000", "speed=N/A", "progress=continue"].join("\n"),
    );
    expect(block).toEqual({ frame: 0, fps: null, bitrateBitsPerSecond: null, totalSize: null, outTimeSeconds: 62.5, speed: null, done: false });
    const [negative] = parseProgressText("out_time_ms=-9223372036854775807\nout_time=-577014:32:22.775808\nspeed=-1x\nprogress=continue\n");
    expect(negative!.outTimeSeconds).toBeNull();
    expect(negative!.speed).toBeNull();
  });

  test("CRLF line ends and lines without '=' are tolerated; an unfinished block is not reported", () => {
    const blocks = parseProgressText("garbage\r\nfps=12.5\r\nprogress=end\r\nframe=3\n");
    expect(blocks).toHaveLength(1);
    expect(blocks[0]!.fps).toBe(12.5);
    expect(blocks[0]!.done).toBe(true);
  });

  test("a summary of no blocks, or of blocks without measurements, is all null", () => {
    expect(summarizeProgress([])).toEqual({
      blocks: 0, meanFps: null, finalFps: null, finalBitrate: null, meanBitrate: null, totalSize: null, outTimeSeconds: null, frames: null, done: false,
    });
  });

  test("when ffmpeg finished before measuring fps, the summary derives it from frames and the given wall time", () => {
    const block: ProgressBlock = { frame: 20, fps: 0, bitrateBitsPerSecond: 118_300, totalSize: 29_869, outTimeSeconds: 2.02, speed: 44, done: true };
    expect(summarizeProgress([block]).meanFps).toBeNull();
    expect(summarizeProgress([block], { wallTimeSeconds: 0.5 }).meanFps).toBe(40);
  });
});

describe("readProgress on a stream", () => {
  test("lines split across chunks are reassembled and each block is reported as it completes", async () => {
    const text = await fixture("ffmpeg41_progress.txt");
    const seen: ProgressBlock[] = [];
    const blocks = await readProgress(chunked(text, 7), (b) => seen.push(b));
    expect(blocks).toEqual(parseProgressText(text));
    expect(seen).toEqual(blocks);
  });

  test("a real ffmpeg run's stdout parses to blocks ending with progress=end at the output duration", async () => {
    const { ffmpeg } = resolveTools();
    const dir = await mkdtemp(join(tmpdir(), "vpo-progress-"));
    try {
      const proc = Bun.spawn(
        [ffmpeg, "-hide_banner", "-v", "error", "-nostdin", "-f", "lavfi", "-i", "testsrc=size=160x90:rate=10:duration=1",
          "-c:v", "libx264", "-preset", "ultrafast", "-progress", "pipe:1", "-nostats", join(dir, "out.mp4")],
        { stdout: "pipe", stderr: "pipe" },
      );
      const blocks = await readProgress(proc.stdout);
      expect(await proc.exited).toBe(0);
      const final = blocks.at(-1)!;
      expect(final.done).toBe(true);
      expect(final.frame).toBe(10);
      expect(final.totalSize).toBe((await Bun.file(join(dir, "out.mp4")).stat()).size);
      expect(final.outTimeSeconds).toBeGreaterThan(0.9);
      expect(final.bitrateBitsPerSecond).toBeGreaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
