import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmod, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ffprobeJson, rewriteInPlace } from "../tests/fixtures/ffmpeg.ts";
import { copyFixture, makeFixtures, type Fixtures } from "../tests/fixtures/media.ts";
import { createProbe } from "./probe.ts";
import { resolveTools } from "./tools.ts";

const probe = createProbe(resolveTools());
let fixtures: Fixtures;
let tmp: string;

beforeAll(async () => {
  fixtures = await makeFixtures();
  tmp = await mkdtemp(join(tmpdir(), "vpo-probe-"));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe("createProbe on real media", () => {
  test("maps every stream of multi.mkv with type, codec, language, title, dispositions and sizes", async () => {
    const info = await probe(fixtures.multi);
    const raw = await ffprobeJson(fixtures.multi);
    expect(info.path).toBe(fixtures.multi);
    expect(info.container).toBe("matroska");
    expect(info.sizeBytes).toBe((await stat(fixtures.multi)).size);
    expect(info.durationSeconds).toBe(Number(raw.format.duration));
    expect(info.bitRate).toBe(Number(raw.format.bit_rate));
    expect(info.streams.map((s) => s.index)).toEqual(raw.streams.map((s) => s.index));
    expect(info.streams[0]).toEqual({
      index: 0, type: "video", codec: "h264", language: null, title: null, isDefault: true, isForced: false,
      width: 320, height: 180, channels: null, bitRate: null, colorTransfer: null,
    });
    expect(info.streams[2]).toMatchObject({ type: "audio", codec: "aac", language: "jpn", title: "Japanese", isDefault: false, channels: 1 });
    expect(info.streams[1]).toMatchObject({ language: "eng", isDefault: true });
    expect(info.streams[5]).toMatchObject({ type: "subtitle", codec: "subrip", language: "fre", isForced: true });
    expect(info.streams[6]).toMatchObject({ type: "attachment", codec: "ttf" });
  });

  test("an mp4 reports the first of ffprobe's format names and per-stream bit rates", async () => {
    const info = await probe(fixtures.clip);
    const raw = await ffprobeJson(fixtures.clip);
    expect(String(raw.format.format_name).split(",")[0]).toBe("mov");
    expect(info.container).toBe("mov");
    expect(info.streams.map((s) => s.bitRate)).toEqual(raw.streams.map((s) => Number((s as { bit_rate?: string }).bit_rate)));
  });

  test("cover art muxed as an attached picture counts as an attachment, not as video", async () => {
    const dir = join(tmp, "cover");
    const file = await copyFixture(fixtures, "clip", dir);
    const cover = join(dir, "cover.png");
    const { ffmpeg } = resolveTools();
    await Bun.spawn([ffmpeg, "-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x64", "-frames:v", "1", cover]).exited;
    await rewriteInPlace(file, ["-i", cover, "-map", "0", "-map", "1", "-c", "copy", "-disposition:v:1", "attached_pic"]);
    const raw = await ffprobeJson(file);
    expect(raw.streams[2]).toMatchObject({ codec_type: "video", disposition: expect.objectContaining({ attached_pic: 1 }) });
    expect((await probe(file)).streams.map((s) => s.type)).toEqual(["video", "audio", "attachment"]);
  });
});

describe("createProbe failures", () => {
  test("a missing file is FILE_NOT_FOUND naming the path", async () => {
    const path = join(tmp, "missing.mkv");
    await expect(probe(path)).rejects.toMatchObject({ code: "FILE_NOT_FOUND", message: `Cannot read media file "${path}": no such file` });
  });

  test("a truncated file is TOOL_FAILED with ffprobe's reason in the message and its stderr in details", async () => {
    const error = await probe(fixtures.truncated).catch((e) => e);
    expect(error.code).toBe("TOOL_FAILED");
    expect(error.message).toStartWith(`Cannot read media file "${fixtures.truncated}": `);
    expect(error.message).toContain("File ended prematurely");
    expect(error.message.length).toBeLessThan(600);
    expect(error.details.exitCode).not.toBe(0);
    expect(error.details.stderr).toContain("matroska");
  });

  test("a file that is not media is TOOL_FAILED with 'Invalid data found when processing input'", async () => {
    const path = join(tmp, "notes.mkv");
    await writeFile(path, "these are not the frames you are looking for\n");
    await expect(probe(path)).rejects.toMatchObject({
      code: "TOOL_FAILED",
      message: expect.stringMatching(/^Cannot read media file ".*notes\.mkv": Invalid data found when processing input/),
    });
  });

  test("an ffprobe that does not answer in time is killed and reported as TOOL_TIMEOUT", async () => {
    // A stand-in executable that hangs: the point is the kill, not ffprobe's behaviour.
    const hang = join(tmp, "hanging-ffprobe");
    await writeFile(hang, "#!/bin/sh\nexec sleep 30\n");
    await chmod(hang, 0o755);
    const started = performance.now();
    await expect(createProbe({ ffprobe: hang }, { timeoutMs: 200 })(fixtures.clip)).rejects.toMatchObject({
      code: "TOOL_TIMEOUT",
      message: expect.stringContaining("did not finish within 200 ms"),
    });
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
