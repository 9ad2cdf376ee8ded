/**
 * The media the kit runs a plugin on, made with the ffmpeg vpo itself uses (resolveTools): tiny
 * (160x90, 10 fps, 1 s), generated once per test process into a temp folder and copied for each
 * run, since a run may rewrite its file.
 */
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { resolveTools } from "../engine/mod.ts";

/**
 * - `av`: matroska, h264 + aac "eng" + subrip "eng" subtitles
 * - `clip`: mp4, h264 + aac, no language tags
 */
export const KIT_FIXTURES = { av: "av.mkv", clip: "clip.mp4" } as const;
export type KitFixture = keyof typeof KIT_FIXTURES;

const VIDEO = ["-f", "lavfi", "-i", "testsrc=size=160x90:rate=10:duration=1"];
const AUDIO = ["-f", "lavfi", "-i", "sine=frequency=440:duration=1"];
const H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"];
const SUBTITLES = "1\n00:00:00,000 --> 00:00:01,000\nHello\n";

async function ffmpeg(args: string[]): Promise<void> {
  const proc = Bun.spawn([resolveTools().ffmpeg, "-hide_banner", "-nostdin", "-v", "error", "-y", ...args], { stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`vpo/testing: ffmpeg could not make a fixture (exit ${code}): ${stderr.trim()}`);
}

export interface FixtureSet {
  /** The folder the originals are in (removed by `dispose`). */
  dir: string;
  /** Absolute path of each original: never run on it, `copy` it. */
  files: Record<KitFixture, string>;
  /** A fresh copy of a fixture in `into`, to run on. */
  copy(name: KitFixture, into: string): Promise<string>;
  dispose(): Promise<void>;
}

/** Makes the fixtures in a new temp folder. */
export async function makeFixtureSet(): Promise<FixtureSet> {
  const dir = await mkdtemp(join(tmpdir(), "vpo-kit-media-"));
  const files = { av: join(dir, KIT_FIXTURES.av), clip: join(dir, KIT_FIXTURES.clip) };
  const srt = join(dir, "eng.srt");
  await Bun.write(srt, SUBTITLES);
  await Promise.all([
    ffmpeg([...VIDEO, ...AUDIO, "-i", srt, "-map", "0", "-map", "1", "-map", "2", ...H264, "-c:a", "aac", "-c:s", "srt",
      "-metadata:s:a:0", "language=eng", "-metadata:s:s:0", "language=eng", files.av]),
    ffmpeg([...VIDEO, ...AUDIO, "-map", "0", "-map", "1", ...H264, "-c:a", "aac", files.clip]),
  ]);
  let copies = 0;
  return {
    dir,
    files,
    async copy(name, into) {
      const target = join(into, `${++copies}-${basename(files[name])}`);
      await mkdir(into, { recursive: true });
      await copyFile(files[name], target);
      return target;
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
