/**
 * Running ffmpeg as a child: progress blocks as they come, the tail of stderr for messages,
 * and a kill when the caller aborts (Ctrl-C, SIGTERM).
 */
import { type ProgressBlock, readProgress } from "./ffmpeg_progress.ts";

export interface FfmpegRun {
  exitCode: number;
  /** Last lines of ffmpeg's stderr, joined with " | ". */
  error: string;
  blocks: ProgressBlock[];
  wallTimeSeconds: number;
  aborted: boolean;
}

export interface FfmpegRunOptions {
  signal?: AbortSignal;
  onProgress?: (block: ProgressBlock) => void;
  /** Called with the child's pid right after it starts (persisted so a later start can stop an orphan). */
  onSpawn?: (pid: number) => void | Promise<void>;
}

const STDERR_LINES = 3;

/** Runs `ffmpeg args…`; never throws for ffmpeg's own failures — look at exitCode and error. */
export async function runFfmpeg(ffmpeg: string, args: string[], options: FfmpegRunOptions = {}): Promise<FfmpegRun> {
  const started = performance.now();
  if (options.signal?.aborted) return { exitCode: -1, error: "not started: interrupted", blocks: [], wallTimeSeconds: 0, aborted: true };
  const proc = Bun.spawn([ffmpeg, ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  let aborted = false;
  const abort = () => {
    aborted = true;
    proc.kill("SIGKILL"); // the output is thrown away: no need to let ffmpeg finish its trailer
  };
  options.signal?.addEventListener("abort", abort, { once: true });
  try {
    await options.onSpawn?.(proc.pid);
    const stderr = new Response(proc.stderr).text();
    const blocks = await readProgress(proc.stdout, options.onProgress);
    const exitCode = await proc.exited;
    const lines = (await stderr).trim().split("\n").filter(Boolean);
    return {
      exitCode,
      error: lines.slice(-STDERR_LINES).join(" | ") || (exitCode === 0 ? "" : `ffmpeg exited with code ${exitCode}`),
      blocks,
      wallTimeSeconds: (performance.now() - started) / 1000,
      aborted,
    };
  } finally {
    options.signal?.removeEventListener("abort", abort);
    if (proc.exitCode === null) proc.kill("SIGKILL");
  }
}
