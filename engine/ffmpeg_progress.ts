/**
 * Parsing ffmpeg's `-progress pipe:1` output: blocks of `key=value` lines, each block ended by
 * `progress=continue` or, for the last one, `progress=end`. Works with ffmpeg 4.1 (the npm
 * static build), which writes a block about every 0.5 s and has no `-stats_period`.
 *
 * ```
 * frame=117
 * fps=115.59
 * bitrate=   0.2kbits/s
 * total_size=48
 * out_time_us=2136236
 * out_time_ms=2136236        (despite the name, microseconds too)
 * out_time=00:00:02.136236
 * speed=2.11x
 * progress=continue
 * ```
 * Audio-only or `-f null` runs omit frame/fps and print `bitrate=N/A`, `total_size=N/A`.
 */

export interface ProgressBlock {
  /** Frames written so far; null when ffmpeg does not say (no video output). */
  frame: number | null;
  /** ffmpeg's running average: frames / elapsed seconds; 0 during the first second. */
  fps: number | null;
  /** Average output bitrate so far, in bits per second; null for "N/A". */
  bitrateBitsPerSecond: number | null;
  /** Bytes written so far; null for "N/A". */
  totalSize: number | null;
  /** Output timestamp reached, in seconds. */
  outTimeSeconds: number | null;
  /** Encoding speed relative to real time ("1.5x" → 1.5). */
  speed: number | null;
  /** True for the final block (`progress=end`). */
  done: boolean;
}

export interface ProgressSummary {
  blocks: number;
  /** Mean of the fps samples that ffmpeg had measured (> 0); null when there are none. */
  meanFps: number | null;
  /** fps of the last block that had a measured value. */
  finalFps: number | null;
  /** Bitrate of the last block with a value: ffmpeg's average over the whole output. */
  finalBitrate: number | null;
  /** Mean of the bitrate samples. */
  meanBitrate: number | null;
  totalSize: number | null;
  outTimeSeconds: number | null;
  /** Frames written, from the last block that reported them. */
  frames: number | null;
  done: boolean;
}

const UNITS: Record<string, number> = { "": 1, k: 1e3, m: 1e6, g: 1e9 };

function number(value: string | undefined): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (text === "" || text === "N/A") return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/** "1234.5kbits/s" → 1234500; "N/A" → null. */
export function parseBitrate(value: string | undefined): number | null {
  const match = value?.trim().match(/^([0-9.eE+-]+)\s*([kmg]?)bits\/s$/i);
  if (!match) return null;
  const n = Number(match[1]);
  return Number.isFinite(n) && n >= 0 ? n * UNITS[match[2]!.toLowerCase()]! : null;
}

/** "00:01:02.500000" → 62.5. */
function clock(value: string | undefined): number | null {
  const match = value?.trim().match(/^(-?)(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/);
  if (!match || match[1] === "-") return null;
  return Number(match[2]) * 3600 + Number(match[3]) * 60 + Number(match[4]);
}

/** Turns the fields of one block into a ProgressBlock. */
export function toProgressBlock(fields: ReadonlyMap<string, string>): ProgressBlock {
  // out_time_us is the documented field; ffmpeg's out_time_ms has always held microseconds too.
  const micros = number(fields.get("out_time_us")) ?? number(fields.get("out_time_ms"));
  const outTime = micros !== null && micros >= 0 ? micros / 1e6 : clock(fields.get("out_time"));
  const speed = number(fields.get("speed")?.trim().replace(/x$/, ""));
  const fps = number(fields.get("fps"));
  return {
    frame: number(fields.get("frame")),
    fps: fps !== null && fps >= 0 ? fps : null,
    bitrateBitsPerSecond: parseBitrate(fields.get("bitrate")),
    totalSize: number(fields.get("total_size")),
    outTimeSeconds: outTime,
    speed: speed !== null && speed >= 0 ? speed : null,
    done: fields.get("progress")?.trim() === "end",
  };
}

/** A line-by-line parser: feed it lines, it calls back once per finished block. */
export function createProgressParser(onBlock: (block: ProgressBlock) => void) {
  let fields = new Map<string, string>();
  return {
    line(line: string) {
      const eq = line.indexOf("=");
      if (eq <= 0) return;
      const key = line.slice(0, eq).trim();
      fields.set(key, line.slice(eq + 1).replace(/\r$/, ""));
      if (key === "progress") {
        onBlock(toProgressBlock(fields));
        fields = new Map();
      }
    },
  };
}

/** Parses complete `-progress` output held in a string. */
export function parseProgressText(text: string): ProgressBlock[] {
  const blocks: ProgressBlock[] = [];
  const parser = createProgressParser((b) => blocks.push(b));
  for (const line of text.split("\n")) parser.line(line);
  return blocks;
}

/**
 * Reads ffmpeg's `-progress pipe:1` stdout until it ends, calling `onBlock` per block as it
 * arrives; resolves with every block. Lines split across chunks are handled.
 *
 * @example
 * const proc = Bun.spawn([ffmpeg, "-i", src, "-progress", "pipe:1", "-nostats", dst]);
 * const blocks = await readProgress(proc.stdout, (b) => bar.update(b.outTimeSeconds ?? 0));
 * const { meanFps, finalBitrate } = summarizeProgress(blocks);
 */
export async function readProgress(
  stream: ReadableStream<Uint8Array | string>,
  onBlock: (block: ProgressBlock) => void = () => {},
): Promise<ProgressBlock[]> {
  const blocks: ProgressBlock[] = [];
  const parser = createProgressParser((block) => {
    blocks.push(block);
    onBlock(block);
  });
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of stream as AsyncIterable<Uint8Array | string>) {
    pending += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop()!;
    for (const line of lines) parser.line(line);
  }
  pending += decoder.decode();
  if (pending !== "") parser.line(pending);
  return blocks;
}

const mean = (values: number[]) => (values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length);
const last = <T>(values: T[]) => (values.length === 0 ? null : values[values.length - 1]!);

/**
 * Sums up a run's progress blocks. fps samples of 0 (ffmpeg prints 0 until a second has
 * passed) are not measurements and are left out; for runs shorter than that, pass the
 * wall time and fps is derived as frames / wallTimeSeconds.
 */
export function summarizeProgress(blocks: readonly ProgressBlock[], options: { wallTimeSeconds?: number } = {}): ProgressSummary {
  const fps = blocks.map((b) => b.fps).filter((f): f is number => f !== null && f > 0);
  const bitrates = blocks.map((b) => b.bitrateBitsPerSecond).filter((b): b is number => b !== null);
  const frames = last(blocks.map((b) => b.frame).filter((f): f is number => f !== null));
  let meanFps = mean(fps);
  let finalFps = last(fps);
  const wall = options.wallTimeSeconds;
  if (meanFps === null && frames !== null && frames > 0 && wall !== undefined && wall > 0) {
    meanFps = finalFps = frames / wall;
  }
  return {
    blocks: blocks.length,
    meanFps,
    finalFps,
    finalBitrate: last(bitrates),
    meanBitrate: mean(bitrates),
    totalSize: last(blocks.map((b) => b.totalSize).filter((s): s is number => s !== null)),
    outTimeSeconds: last(blocks.map((b) => b.outTimeSeconds).filter((s): s is number => s !== null)),
    frames,
    done: blocks.some((b) => b.done),
  };
}
