import { existsSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { type RunIntent, type RunRecord, runCapture, VpoError } from "../core/mod.ts";
import { readProgress, summarizeProgress } from "./ffmpeg_progress.ts";
import { clearInFlight, markInFlight, updateInFlight } from "./in_flight.ts";
import type { Engine } from "./session.ts";

export interface RunCommandOptions {
  file: string;
  policyName: string;
  /** Program and arguments; `{input}` and `{output}` are replaced in every argument. */
  command: string[];
  jobId?: string | null;
  /** Called with each ffmpeg progress block (out time in seconds, speed). */
  onProgress?: (progress: { outTimeSeconds: number | null; speed: number | null; fps: number | null }) => void;
}

const STDERR_TAIL = 4000;

/** The ffmpeg encoder named by `-c:v`, `-codec:v` or `-vcodec` (not `copy`). */
export function videoEncoderOf(args: readonly string[]): string | null {
  for (let i = 0; i < args.length - 1; i++) {
    if (/^-(c|codec):v(:0)?$|^-vcodec$/.test(args[i]!) && args[i + 1] !== "copy") return args[i + 1]!;
  }
  return null;
}

/** A temp path beside the input, same extension so ffmpeg picks the same container. */
export function tempPathFor(file: string, runId: string): string {
  return join(dirname(file), `.${basename(file, extname(file))}.vpo-${runId.slice(-12)}.tmp${extname(file)}`);
}

/**
 * Runs any external command on a file through the capture runner. The command writes
 * `{output}` (a temp file beside the input); only on exit 0 with a non-empty output does it
 * atomically replace the input. On failure or interruption the input is untouched and the temp
 * file removed; the run is recorded either way.
 */
export async function runExternalCommand(engine: Engine, options: RunCommandOptions): Promise<RunRecord> {
  const file = resolve(options.file);
  if (!existsSync(file) || !statSync(file).isFile()) throw new VpoError("FILE_NOT_FOUND", `No such file: "${file}"`);
  if (options.command.length === 0) throw new VpoError("INVALID_ARGUMENT", "No command given: put it after --, e.g. -- ffmpeg -i {input} -c copy {output}");
  const runId = Bun.randomUUIDv7();
  const output = tempPathFor(file, runId);
  const writesOutput = options.command.some((a) => a.includes("{output}"));

  const [program, ...rest] = options.command.map((a) => a.replaceAll("{input}", file).replaceAll("{output}", output));
  const isFfmpeg = /^ffmpeg(\.exe)?$/.test(basename(program!));
  // Bare `ffmpeg` means the configured one (PATH or the npm build), so a fresh machine works.
  const argv = isFfmpeg
    ? [program === "ffmpeg" ? engine.tools.ffmpeg : program!, ...(rest.includes("-progress") ? [] : ["-progress", "pipe:1", "-nostats"]), ...rest]
    : [program!, ...rest];
  const intent: RunIntent = { videoEncoder: isFfmpeg ? videoEncoderOf(rest) : null };

  // Marked in flight first, so a SIGKILL'd run is found and recorded on the next start.
  const tempPrefix = join(dirname(file), `.${basename(file, extname(file))}.vpo-${runId.slice(-12)}`);
  await markInFlight(engine.db, { runId, filePath: file, tempPrefix, policyName: options.policyName, jobId: options.jobId ?? null, sizeBefore: statSync(file).size });
  const record = await runCapture(engine.capture, { id: runId, filePath: file, policyName: options.policyName, jobId: options.jobId, intent, phasesTotal: 1 }, async (run) => {
    const phase = run.startPhase("command");
    const started = performance.now();
    const inputSize = statSync(file).size;
    let interrupted: string | null = null;
    let proc: ReturnType<typeof Bun.spawn>;
    try {
      proc = Bun.spawn(argv, { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    } catch (error) {
      await phase.end({ success: false });
      throw new VpoError("COMMAND_FAILED", `Cannot start "${options.command[0]}": ${(error as Error).message}`);
    }
    await updateInFlight(engine.db, runId, { phase: "command", child_pid: proc.pid });
    const onSignal = (signal: NodeJS.Signals) => {
      interrupted = signal;
      proc.kill("SIGTERM");
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      const stderrText = new Response(proc.stderr as ReadableStream).text();
      const blocks = isFfmpeg
        ? await readProgress(proc.stdout as ReadableStream, (b) => options.onProgress?.({ outTimeSeconds: b.outTimeSeconds, speed: b.speed, fps: b.fps }))
        : (await new Response(proc.stdout as ReadableStream).arrayBuffer(), []);
      const exitCode = await proc.exited;
      const durationMs = performance.now() - started;
      const tail = (await stderrText).trim().slice(-STDERR_TAIL);
      const progress = summarizeProgress(blocks, { wallTimeSeconds: durationMs / 1000 });
      const outputSize = existsSync(output) ? statSync(output).size : 0;
      const ok = exitCode === 0 && (!writesOutput || outputSize > 0) && !interrupted;
      await run.action({
        type: "command",
        before: { argv: options.command },
        after: { exit_code: exitCode, output_bytes: writesOutput ? outputSize : null },
        success: ok,
        durationMs,
        message: ok ? null : tail.split("\n").slice(-3).join("\n") || null,
      });
      if (interrupted) throw new VpoError("INTERRUPTED", `Interrupted by ${interrupted}; "${file}" was left untouched`);
      if (exitCode !== 0) {
        throw new VpoError("COMMAND_FAILED", `Command exited with code ${exitCode}; "${file}" was left untouched${tail ? `: ${tail.split("\n").slice(-3).join(" | ")}` : ""}`);
      }
      if (writesOutput && outputSize === 0) throw new VpoError("COMMAND_FAILED", `Command exited 0 but wrote no output to {output}; "${file}" was left untouched`);
      if (writesOutput) {
        await updateInFlight(engine.db, runId, { phase: "replace", child_pid: null });
        renameSync(output, file);
        await run.action({ type: "replace", before: { size: inputSize }, after: { size: outputSize } });
      }
      await phase.end({
        bytesRead: inputSize,
        bytesWritten: writesOutput ? outputSize : null,
        encodingFps: progress.meanFps,
        encodingBitrate: progress.finalBitrate,
      });
    } catch (error) {
      if (run.context.phases.length === 0) await phase.end({ success: false, bytesRead: inputSize });
      throw error;
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      rmSync(output, { force: true });
    }
  });
  try {
    return await engine.record(record);
  } finally {
    await clearInFlight(engine.db, runId).catch(() => {});
  }
}
