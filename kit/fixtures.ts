/**
 * The media the kit runs a plugin on, made with the ffmpeg vpo itself uses (resolveTools): tiny
 * (160x90, 10 fps, 1 s), made once into a cache folder in the temp dir that every later run reuses
 * (written privately, then renamed into place, so parallel test runs never see half a set), and
 * copied for each run, since a run may rewrite its file.
 */
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rename, rm } from "node:fs/promises";
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
  /** The folder the originals are in. */
  dir: string;
  /** Absolute path of each original: never run on it, `copy` it. */
  files: Record<KitFixture, string>;
  /** A fresh copy of a fixture in `into`, to run on. */
  copy(name: KitFixture, into: string): Promise<string>;
}

/** Bump when the recipes change, so a stale cache is not reused. */
const VERSION = "1";
const DONE = "complete";

async function generate(dir: string): Promise<void> {
  const files = { av: join(dir, KIT_FIXTURES.av), clip: join(dir, KIT_FIXTURES.clip) };
  const srt = join(dir, "eng.srt");
  await Bun.write(srt, SUBTITLES);
  await Promise.all([
    ffmpeg([...VIDEO, ...AUDIO, "-i", srt, "-map", "0", "-map", "1", "-map", "2", ...H264, "-c:a", "aac", "-c:s", "srt",
      "-metadata:s:a:0", "language=eng", "-metadata:s:s:0", "language=eng", files.av]),
    ffmpeg([...VIDEO, ...AUDIO, "-map", "0", "-map", "1", ...H264, "-c:a", "aac", files.clip]),
  ]);
  await Bun.write(join(dir, DONE), VERSION);
}

/** The fixtures, made on first use and cached in the temp dir. */
export async function makeFixtureSet(): Promise<FixtureSet> {
  const dir = join(tmpdir(), `vpo-kit-media-v${VERSION}`);
  if (!existsSync(join(dir, DONE))) {
    const staging = await mkdtemp(`${dir}.tmp-`);
    await generate(staging);
    // Another test run may have finished first: its set is as good as ours.
    await rename(staging, dir).catch(() => rm(staging, { recursive: true, force: true }));
    if (!existsSync(join(dir, DONE))) throw new Error(`vpo/testing: ${dir} holds no complete set of fixtures; remove it and run again`);
  }
  const files = { av: join(dir, KIT_FIXTURES.av), clip: join(dir, KIT_FIXTURES.clip) };
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
  };
}
