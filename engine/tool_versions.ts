/**
 * Which ffmpeg (or ffprobe) build an executable is, from its `-version` output.
 *
 * Builds are compared by their libavutil version, which every build prints and which only grows
 * from one FFmpeg release to the next — git snapshots included, whose version string
 * ("N-47683-g0e8eb07980", as in the npm builds) says nothing about their age.
 *
 * Running `-version` costs 15–80 ms, so answers are kept in `<data dir>/cache/tool-versions.json`,
 * keyed by path, size and modification time: a replaced binary is asked again.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { dataDir } from "../core/mod.ts";

export interface ToolVersion {
  /** What follows "ffmpeg version" (or "ffprobe version"): "4.1.11-0+deb10u1", "N-47683-g0e8eb07980-static". */
  version: string;
  /** libavutil major, minor, micro; null when the output names none. */
  libavutil: [number, number, number] | null;
}

/** Reads `-version` output; null when it is not ffmpeg's or ffprobe's. */
export function parseVersionOutput(text: string): ToolVersion | null {
  const version = /^ff(?:mpeg|probe) version (\S+)/m.exec(text)?.[1];
  if (!version) return null;
  const lib = /^libavutil\s+(\d+)\.\s*(\d+)\.\s*(\d+)/m.exec(text);
  return { version, libavutil: lib ? [Number(lib[1]), Number(lib[2]), Number(lib[3])] : null };
}

/** Positive when `a` is the newer build; 0 when they cannot be told apart (or either is unknown). */
export function compareBuilds(a: ToolVersion | null, b: ToolVersion | null): number {
  if (!a?.libavutil || !b?.libavutil) return 0;
  for (let i = 0; i < 3; i++) if (a.libavutil[i] !== b.libavutil[i]) return a.libavutil[i]! - b.libavutil[i]!;
  return 0;
}

/** "N-47683-g0e8eb07980-static (libavutil 56.24.101)". */
export function describeBuild(build: ToolVersion | null): string {
  if (!build) return "unknown version";
  return build.libavutil ? `${build.version} (libavutil ${build.libavutil.join(".")})` : build.version;
}

type CacheEntry = { size: number; mtimeMs: number; build: ToolVersion | null };

const memory = new Map<string, CacheEntry>();
const cacheFile = () => join(dataDir(), "cache", "tool-versions.json");

function readDiskCache(): Record<string, CacheEntry> {
  try {
    return JSON.parse(readFileSync(cacheFile(), "utf8")) as Record<string, CacheEntry>;
  } catch {
    return {};
  }
}

/** Best effort: a data dir that cannot be written only costs the next process a `-version` run. */
function writeDiskCache(path: string, entry: CacheEntry): void {
  try {
    const file = cacheFile();
    const all = { ...readDiskCache(), [path]: entry };
    mkdirSync(dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(all)}\n`);
    renameSync(temp, file);
  } catch {
    // not cached, still answered
  }
}

/** The build of the executable at `path` (cached); null when it does not run or is not ffmpeg's. */
export function toolVersion(path: string): ToolVersion | null {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return null;
  }
  const fresh = (entry: CacheEntry | undefined) => entry && entry.size === stat.size && entry.mtimeMs === stat.mtimeMs;
  const known = memory.get(path) ?? readDiskCache()[path];
  if (fresh(known)) {
    memory.set(path, known!);
    return known!.build;
  }
  let build: ToolVersion | null = null;
  try {
    const proc = Bun.spawnSync([path, "-version"], { stdout: "pipe", stderr: "ignore", timeout: 10_000 });
    build = proc.exitCode === 0 ? parseVersionOutput(proc.stdout.toString()) : null;
  } catch {
    build = null; // not executable
  }
  const entry = { size: stat.size, mtimeMs: stat.mtimeMs, build };
  memory.set(path, entry);
  if (build) writeDiskCache(path, entry); // a failure may pass (a busy machine): ask again next time
  return build;
}
