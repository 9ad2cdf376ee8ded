/**
 * A small sample library for `vpo demo`, generated with ffmpeg from its built-in test sources
 * (no downloads): multi-language MKVs with subtitles and a font attachment, one file already in
 * HEVC, one MP4, one home video without language tags. Plus the example policy that goes with it.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { VpoError } from "../core/mod.ts";
import type { Tools } from "./tools.ts";

interface Track {
  lang?: string;
  title?: string;
  codec?: "aac" | "libopus";
  forced?: boolean;
}

interface DemoFile {
  name: string;
  video: "libx264" | "libx265";
  audio: Track[];
  subtitles?: Track[];
  font?: boolean;
}

/** What the demo library contains; the policy below changes each file differently. */
export const DEMO_FILES: DemoFile[] = [
  {
    name: "Cowboy Bebop - S01E01 - Asteroid Blues.mkv", video: "libx264", font: true,
    audio: [{ lang: "jpn", title: "Japanese" }, { lang: "eng", title: "English", codec: "libopus" }, { lang: "ger", title: "Deutsch" }],
    subtitles: [{ lang: "eng", title: "English" }, { lang: "eng", title: "Signs & Songs", forced: true }, { lang: "spa", title: "Español" }],
  },
  {
    name: "Spirited Away (2001).mkv", video: "libx264", font: true,
    audio: [{ lang: "jpn", title: "Japanese" }, { lang: "eng", title: "English" }, { lang: "fre", title: "Français" }],
    subtitles: [{ lang: "eng", title: "English" }, { lang: "fre", title: "Français" }],
  },
  { name: "Planet Earth II - S01E01 - Islands.mkv", video: "libx265", audio: [{ lang: "eng" }], subtitles: [{ lang: "eng" }] },
  { name: "Big Buck Bunny (2008).mp4", video: "libx264", audio: [{ lang: "eng" }] },
  { name: "Home Movie 2019.mkv", video: "libx264", audio: [{}] },
];

/** The example policy `vpo demo` writes to `<data dir>/policies/demo.yaml`. */
export const DEMO_POLICY = `# vpo example policy (schema_version 13). Try: vpo process <dir> --policy demo --dry-run
schema_version: 13
name: demo
description: Keep Japanese and English audio and English subtitles, drop fonts, HEVC video in MKV
config:
  audio_languages: [jpn, eng]
  subtitle_languages: [eng]
  on_error: skip          # skip | continue | fail
phases:
  - name: filter
    keep_audio: { languages: [jpn, eng], minimum: 1 }      # the last audio track always stays
    keep_subtitles: { languages: [eng], preserve_forced: true }
    filter_attachments: { remove_all: true }
  - name: compress
    transcode:
      video: { to: hevc, crf: 28, preset: veryfast, skip_if: { codec_matches: [hevc] } }
      audio: { preserve: [truehd, dts, flac], to: aac, bitrate: 128k }
    container: { target: mkv }
`;

const SECONDS = 4;
const subtitleText = (lang: string) => `1\n00:00:00,500 --> 00:00:02,000\n[${lang}] Hello\n\n2\n00:00:02,000 --> 00:00:03,500\n[${lang}] World\n`;

/** A real TrueType font from the system when there is one, else a small stand-in file. */
function fontSource(): string | null {
  const root = "/usr/share/fonts/truetype/dejavu";
  if (!existsSync(root)) return null;
  const ttf = readdirSync(root).filter((f) => f.endsWith(".ttf")).sort();
  return ttf.length ? join(root, ttf.map((f) => [f, statSync(join(root, f)).size] as const).sort((a, b) => a[1] - b[1])[0]![0]) : null;
}

/** ffmpeg arguments that write one demo file. */
function recipe(file: DemoFile, dir: string, work: string, font: string): string[] {
  const args = ["-f", "lavfi", "-i", `testsrc2=size=320x180:rate=12:duration=${SECONDS}`];
  file.audio.forEach((_, i) => args.push("-f", "lavfi", "-i", `sine=frequency=${330 + 110 * i}:duration=${SECONDS}`));
  const subs = file.subtitles ?? [];
  subs.forEach((s, i) => args.push("-i", join(work, `${s.lang}-${i}.srt`)));
  for (let i = 0; i <= file.audio.length + subs.length; i++) args.push("-map", String(i));
  args.push("-c:v", file.video, "-preset", "veryfast", "-pix_fmt", "yuv420p");
  if (file.video === "libx265") args.push("-x265-params", "log-level=error");
  file.audio.forEach((a, i) => {
    args.push(`-c:a:${i}`, a.codec ?? "aac", `-disposition:a:${i}`, i === 0 ? "default" : "0");
    if (a.lang) args.push(`-metadata:s:a:${i}`, `language=${a.lang}`);
    if (a.title) args.push(`-metadata:s:a:${i}`, `title=${a.title}`);
  });
  subs.forEach((s, i) => {
    args.push(`-metadata:s:s:${i}`, `language=${s.lang}`, `-disposition:s:${i}`, s.forced ? "forced" : "0");
    if (s.title) args.push(`-metadata:s:s:${i}`, `title=${s.title}`);
  });
  if (subs.length) args.push("-c:s", file.name.endsWith(".mp4") ? "mov_text" : "srt");
  if (file.font) args.push("-attach", font, "-metadata:s:t", "mimetype=application/x-truetype-font", "-metadata:s:t", "filename=DemoSans.ttf");
  return [...args, join(dir, file.name)];
}

async function ffmpeg(tools: Tools, args: string[]): Promise<void> {
  const proc = Bun.spawn([tools.ffmpeg, "-hide_banner", "-nostdin", "-v", "error", "-y", ...args], { stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new VpoError("TOOL_FAILED", `ffmpeg could not generate a demo file (exit ${code}): ${stderr.trim().split("\n").slice(-2).join(" | ")}`);
}

/**
 * (Re)creates the demo library in `dir` — anything there before is replaced — and returns the
 * paths of its files. Takes a second or two on two cores.
 */
export async function generateDemoLibrary(tools: Tools, dir: string): Promise<string[]> {
  await rm(dir, { recursive: true, force: true });
  const work = join(dir, ".demo-sources");
  await mkdir(work, { recursive: true });
  try {
    for (const file of DEMO_FILES) {
      for (const [i, s] of (file.subtitles ?? []).entries()) await writeFile(join(work, `${s.lang}-${i}.srt`), subtitleText(s.lang!));
    }
    const font = fontSource() ?? join(work, "DemoSans.ttf");
    if (!existsSync(font)) await writeFile(font, new Uint8Array([0, 1, 0, 0, ...new Array(1020).fill(0)]));
    // Two at a time: quick on two cores without starving the machine.
    for (let i = 0; i < DEMO_FILES.length; i += 2) {
      await Promise.all(DEMO_FILES.slice(i, i + 2).map((f) => ffmpeg(tools, recipe(f, dir, work, font))));
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return DEMO_FILES.map((f) => join(dir, f.name));
}
