/**
 * Running the child process of a run — an ffmpeg pass or a user's command: ffmpeg progress
 * blocks as they come, the tail of stderr for messages, the pid as soon as it starts (the
 * in-flight marker keeps it so a later start can stop an orphan), and a stop when the caller's
 * AbortSignal fires. The only place the engine spawns media work.
 */
import { basename } from "node:path";
import { getLogger } from "@logtape/logtape";
import { errorMessage, VpoError } from "../core/mod.ts";
import { type ProgressBlock, readProgress } from "./ffmpeg_progress.ts";

const log = getLogger(["vpo", "engine", "child"]);

/** What a failed run keeps of the tool that failed: its command line and the tail of its stderr. */
export interface ToolFailure {
  command: string;
  output: string;
}

/** Longest command line and stderr tail a run record keeps (the record's text fields take 16 KiB). */
const MAX_COMMAND = 4000;
const MAX_OUTPUT = 4000;
const OUTPUT_LINES = 30;

/** A command line as a shell would take it: arguments with spaces or quotes are single-quoted. */
export function commandLine(argv: readonly string[]): string {
  const line = argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(" ");
  return line.length > MAX_COMMAND ? `${line.slice(0, MAX_COMMAND - 1)}…` : line;
}

/** The last lines of a tool's stderr, at most MAX_OUTPUT characters. */
export function outputTail(stderr: string): string {
  const tail = stderr.trimEnd().split("\n").slice(-OUTPUT_LINES).join("\n");
  return tail.length > MAX_OUTPUT ? `…${tail.slice(-(MAX_OUTPUT - 1))}` : tail;
}

/** The ToolFailure an error carries in its details (engine errors of a failed ffmpeg, ffprobe or command), if any. */
export function toolFailureOf(error: unknown): ToolFailure | null {
  const details = error instanceof VpoError ? (error.details as Partial<ToolFailure> | undefined) : undefined;
  return typeof details?.command === "string" && typeof details.output === "string" ? { command: details.command, output: details.output } : null;
}

export interface ChildRun {
  exitCode: number;
  /** Last lines of stderr joined with " | " (empty when it printed nothing). */
  stderrTail: string;
  /** `stderrTail`, or "<program> exited with code N" when it printed nothing. */
  error: string;
  /** The command line and the last lines of stderr (for the record of a failed run). */
  failure: ToolFailure;
  /** ffmpeg progress blocks (empty unless `progress` was asked for). */
  blocks: ProgressBlock[];
  wallTimeSeconds: number;
  /** Whether the child was stopped because the signal fired. */
  aborted: boolean;
}

export interface ChildRunOptions {
  signal?: AbortSignal;
  /** Read stdout as ffmpeg `-progress pipe:1` output; otherwise stdout is drained and ignored. */
  progress?: boolean;
  onProgress?: (block: ProgressBlock) => void;
  /** Called with the child's pid right after it starts. */
  onSpawn?: (pid: number) => void | Promise<void>;
  /**
   * How an aborted child is stopped: SIGKILL at once (ffmpeg: its output is thrown away anyway),
   * or SIGTERM so a user's command may clean up, then SIGKILL after a grace period.
   */
  stopWith?: "SIGKILL" | "SIGTERM";
}

const STDERR_LINES = 3;
const TERM_GRACE_MS = 3000;

/** Runs `argv`; never throws for the child's own failure (look at exitCode and error), only when it cannot start. */
export async function runChild(argv: readonly string[], options: ChildRunOptions = {}): Promise<ChildRun> {
  const started = performance.now();
  const program = basename(argv[0] ?? "");
  const command = commandLine(argv);
  if (options.signal?.aborted) {
    return { exitCode: -1, stderrTail: "", error: "not started: interrupted", failure: { command, output: "" }, blocks: [], wallTimeSeconds: 0, aborted: true };
  }
  log.debug("Running {program}: {command}", { program, command });
  let proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  try {
    proc = Bun.spawn([...argv], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  } catch (error) {
    throw new VpoError("COMMAND_FAILED", `Cannot start "${argv[0]}": ${errorMessage(error)}`, { cause: error });
  }
  let aborted = false;
  let escalation: ReturnType<typeof setTimeout> | undefined;
  const stop = () => {
    aborted = true;
    proc.kill(options.stopWith ?? "SIGKILL");
    if (options.stopWith === "SIGTERM") escalation = setTimeout(() => proc.exitCode === null && proc.kill("SIGKILL"), TERM_GRACE_MS);
  };
  options.signal?.addEventListener("abort", stop, { once: true });
  try {
    await options.onSpawn?.(proc.pid);
    const stderr = new Response(proc.stderr).text();
    const blocks = options.progress ? await readProgress(proc.stdout, options.onProgress) : (await new Response(proc.stdout).arrayBuffer(), []);
    const exitCode = await proc.exited;
    const text = await stderr;
    const tail = text.trim().split("\n").map((l) => l.trim()).filter(Boolean).slice(-STDERR_LINES).join(" | ");
    const wallTimeSeconds = (performance.now() - started) / 1000;
    if (exitCode === 0) log.debug("{program} finished in {seconds} s", { program, seconds: round(wallTimeSeconds) });
    else log.debug("{program} exited with code {exit_code} after {seconds} s{aborted}", { program, exit_code: exitCode, seconds: round(wallTimeSeconds), aborted: aborted ? " (stopped)" : "" });
    return {
      exitCode,
      stderrTail: tail,
      error: tail || (exitCode === 0 ? "" : `${program} exited with code ${exitCode}`),
      failure: { command, output: outputTail(text) },
      blocks,
      wallTimeSeconds,
      aborted,
    };
  } finally {
    options.signal?.removeEventListener("abort", stop);
    clearTimeout(escalation);
    if (proc.exitCode === null) proc.kill("SIGKILL");
  }
}

const round = (seconds: number) => Math.round(seconds * 1000) / 1000;
