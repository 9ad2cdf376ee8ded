/**
 * Reading media files with ffprobe into the core's MediaInfo.
 */
import { statSync } from "node:fs";
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { getLogger } from "@logtape/logtape";
import { fileStateKey, stateMemo, VpoError, type MediaInfo, type MediaStream, type ProbeFn, type StreamType } from "../core/mod.ts";
import type { Tools } from "./tools.ts";
import { commandLine, outputTail } from "./child.ts";

const log = getLogger(["vpo", "engine", "probe"]);

export interface ProbeOptions {
  /** ffprobe is killed after this long; default 30 s. */
  timeoutMs?: number;
}

interface RawStream {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  channels?: number;
  bit_rate?: string;
  color_transfer?: string;
  disposition?: Record<string, number>;
  tags?: Record<string, string>;
}

interface RawProbe {
  streams?: RawStream[];
  format?: { format_name?: string; duration?: string; bit_rate?: string };
}

const STREAM_TYPES: Record<string, StreamType> = {
  video: "video",
  audio: "audio",
  subtitle: "subtitle",
  attachment: "attachment",
  data: "data",
};

const MAX_REASON = 500;

function num(value: unknown): number | null {
  if (value === undefined || value === null || value === "" || value === "N/A") return null;
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

function tag(tags: Record<string, string> | undefined, name: string): string | null {
  if (!tags) return null;
  for (const [key, value] of Object.entries(tags)) if (key.toLowerCase() === name && value !== "") return value;
  return null;
}

/**
 * Cover art muxed as a video stream with the `attached_pic` disposition (MP4, MKV) is an
 * attachment, not a video track: counting it as video would make it "the" video stream.
 */
function streamType(raw: RawStream): StreamType {
  const type = STREAM_TYPES[raw.codec_type ?? ""] ?? "data";
  return type === "video" && raw.disposition?.attached_pic === 1 ? "attachment" : type;
}

function toStream(raw: RawStream, position: number): MediaStream {
  // Matroska has no per-stream bit_rate; muxers like mkvmerge store it as the BPS tag.
  const bitRate = num(raw.bit_rate) ?? num(tag(raw.tags, "bps"));
  return {
    index: raw.index ?? position,
    type: streamType(raw),
    codec: raw.codec_name ?? null,
    language: tag(raw.tags, "language"),
    title: tag(raw.tags, "title"),
    isDefault: raw.disposition?.default === 1,
    isForced: raw.disposition?.forced === 1,
    width: num(raw.width),
    height: num(raw.height),
    channels: num(raw.channels),
    bitRate: bitRate === null ? null : Math.round(bitRate),
    colorTransfer: raw.color_transfer && raw.color_transfer !== "unknown" ? raw.color_transfer : null,
  };
}

/** ffprobe's stderr as one line: the final message first, then the distinct earlier ones. */
function describeStderr(stderr: string, path: string): string {
  const lines = stderr
    .split("\n")
    .map((line) => line.trim().replace(/^\[[^\]]+ @ 0x[0-9a-f]+\]\s*/i, ""))
    .map((line) => (line.startsWith(`${path}: `) ? line.slice(path.length + 2) : line))
    .filter((line) => line !== "");
  if (lines.length === 0) return "ffprobe reported no reason";
  const ordered = [...new Set([lines[lines.length - 1]!, ...lines.slice(0, -1)])];
  const text = ordered.join("; ");
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}…` : text;
}

/**
 * Creates the probe service the capture runner hands to plugins: runs
 * `ffprobe -v error -print_format json -show_format -show_streams <path>` and maps the result.
 *
 * Rejects with VpoError FILE_NOT_FOUND (no such file), TOOL_FAILED (ffprobe failed or printed
 * no JSON, e.g. a corrupt or truncated file; ffprobe's reason is in the message and its full
 * stderr in `details`) or TOOL_TIMEOUT (ffprobe killed after `timeoutMs`).
 *
 * @example
 * const probe = createProbe(resolveTools());
 * const info = await probe("/media/movie.mkv"); // { container: "matroska", streams: [...] }
 */
export function createProbe(tools: Pick<Tools, "ffprobe">, { timeoutMs = 30_000 }: ProbeOptions = {}): ProbeFn {
  return async function probe(input: string): Promise<MediaInfo> {
    const path = resolve(input);
    let sizeBytes: number;
    try {
      const info = await stat(path);
      if (!info.isFile()) throw new VpoError("FILE_NOT_FOUND", `Cannot read media file "${path}": not a regular file`);
      sizeBytes = info.size;
    } catch (error) {
      if (error instanceof VpoError) throw error;
      throw new VpoError("FILE_NOT_FOUND", `Cannot read media file "${path}": no such file`, { cause: error });
    }

    const argv = [tools.ffprobe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", path];
    const command = commandLine(argv);
    const started = performance.now();
    log.debug("Running ffprobe: {command}", { command });
    const proc = Bun.spawn(argv, {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      proc.kill("SIGKILL");
    }, timeoutMs);
    let stdout: string, stderr: string, exitCode: number;
    try {
      [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    } finally {
      clearTimeout(timer);
    }
    const seconds = Math.round(performance.now() - started) / 1000;
    log.debug("ffprobe exited with code {exit_code} after {seconds} s", { exit_code: exitCode, seconds });
    if (timedOut) {
      throw new VpoError("TOOL_TIMEOUT", `Cannot read media file "${path}": ffprobe did not finish within ${timeoutMs} ms and was stopped`, {
        details: { command, output: outputTail(stderr) },
      });
    }

    let raw: RawProbe | null = null;
    try {
      raw = JSON.parse(stdout) as RawProbe;
    } catch {
      raw = null;
    }
    if (exitCode !== 0 || raw === null || typeof raw !== "object" || !raw.format) {
      const reason = exitCode !== 0 || stderr.trim() !== "" ? describeStderr(stderr, path) : "ffprobe printed no readable JSON";
      throw new VpoError("TOOL_FAILED", `Cannot read media file "${path}": ${reason}`, { details: { exitCode, stderr: stderr.trim(), command, output: outputTail(stderr) } });
    }

    const format = raw.format;
    const bitRate = num(format.bit_rate);
    return {
      path,
      container: format.format_name?.split(",")[0] || null,
      durationSeconds: num(format.duration),
      bitRate: bitRate === null ? null : Math.round(bitRate),
      sizeBytes,
      streams: (raw.streams ?? []).map(toStream),
    };
  };
}

/**
 * `probe` with its answers kept per file state (path, inode, size, modification and change
 * times): one engine probes each state of a file once, however many steps ask — the source read,
 * the plugins' before and after, the verification of the output and the files-table refresh.
 * Each caller gets its own copy; a failed probe is not kept. At most `size` states are kept.
 */
export function cachedProbe(probe: ProbeFn, size = 64): CachedProbe {
  const kept = stateMemo<Promise<MediaInfo>>(size);
  const cached = async (input: string) => {
    const path = resolve(input);
    const s = await stat(path).catch(() => null);
    if (!s?.isFile()) return probe(path);
    const key = fileStateKey(path, s);
    let answer = kept.get(key);
    if (!answer) {
      answer = probe(path);
      kept.set(key, answer);
      answer.catch(() => kept.delete(key));
    }
    return structuredClone(await answer);
  };
  return Object.assign(cached, {
    renaming(input: string) {
      const from = resolve(input);
      const before = statSync(from, { throwIfNoEntry: false });
      const answer = before && kept.get(fileStateKey(from, before));
      return (to: string) => {
        const after = answer && statSync(to, { throwIfNoEntry: false });
        // The same inode and content under the new name; anything else is probed afresh.
        if (!after || after.ino !== before.ino || after.size !== before.size || after.mtimeMs !== before.mtimeMs) return;
        const key = fileStateKey(to, after);
        const carried = answer.then((info) => ({ ...info, path: to }));
        kept.set(key, carried);
        carried.catch(() => kept.delete(key));
      };
    },
  });
}

/** A cached probe that can carry an answer across a rename vpo makes itself. */
export interface CachedProbe extends ProbeFn {
  /**
   * Call before renaming `input` yourself, then call what it returns with the new path: the probe
   * kept for `input` is kept for the new path too (a rename changes the ctime, so the state key,
   * but not the content). The output replacing its original is then not probed a second time.
   */
  renaming(input: string): (to: string) => void;
}
