/**
 * The step of `vpo run`: any external command on a file. `{input}` is the file, `{output}` a
 * temp file beside it; the output replaces the input only when the command exits 0 having
 * written something. A command without `{output}` changes nothing on disk (its run is still
 * recorded).
 */
import { existsSync, statSync } from "node:fs";
import { basename, extname } from "node:path";
import { RUN_LIMITS, type RunIntent, trace, VpoError } from "../core/mod.ts";
import { runChild } from "./child.ts";
import { summarizeProgress } from "./ffmpeg_progress.ts";
import type { Engine } from "./session.ts";
import { interrupted, type RunStep } from "./step.ts";

/** The ffmpeg encoder named by `-c:v`, `-codec:v` or `-vcodec` (not `copy`). */
export function videoEncoderOf(args: readonly string[]): string | null {
  for (let i = 0; i < args.length - 1; i++) {
    if (/^-(c|codec):v(:0)?$|^-vcodec$/.test(args[i]!) && args[i + 1] !== "copy") return args[i + 1]!;
  }
  return null;
}

/**
 * The command as its action records it: whole when `{ argv }` fits the record's limit for an
 * action's state, else the arguments that fit and how many were left out. A longer state would
 * make the run impossible to record, and its marker would wait for a recovery that can never store it.
 */
export function recordedArgv(command: readonly string[]): string[] {
  if (JSON.stringify({ argv: command }).length <= RUN_LIMITS.stateChars) return [...command];
  const leftOut = (n: number) => `… ${n} more argument(s) not recorded (the record keeps ${RUN_LIMITS.stateChars} characters of a command)`;
  const kept: string[] = [];
  let size = JSON.stringify({ argv: [leftOut(command.length)] }).length;
  for (const arg of command) {
    size += JSON.stringify(arg).length + 1;
    if (size > RUN_LIMITS.stateChars) break;
    kept.push(arg);
  }
  return [...kept, leftOut(command.length - kept.length)];
}

const isFfmpeg = (program: string) => /^ffmpeg(\.exe)?$/.test(basename(program));

/** `command` (program and arguments, `{input}`/`{output}` in any of them) as a lifecycle step. */
export function commandStep(engine: Engine, command: readonly string[]): RunStep {
  if (command.length === 0) throw new VpoError("INVALID_ARGUMENT", "No command given: put it after --, e.g. -- ffmpeg -i {input} -c copy {output}");
  const writesOutput = command.some((a) => a.includes("{output}"));
  const ffmpeg = isFfmpeg(command[0]!);
  const intent: RunIntent = { videoEncoder: ffmpeg ? videoEncoderOf(command.slice(1)) : null };
  return {
    phasesTotal: 1,
    plan(source) {
      const file = source.path;
      return {
        intent,
        outputs: writesOutput ? 1 : 0,
        async execute({ run, signal, tempFile, onStep, onProgress }) {
          // Same extension as the input, so a command such as ffmpeg picks the same container.
          const output = tempFile("out", extname(file));
          const [program, ...rest] = command.map((a) => a.replaceAll("{input}", file).replaceAll("{output}", output));
          // Bare `ffmpeg` means the configured one (PATH or the npm build), so a fresh machine works.
          const argv = ffmpeg
            ? [program === "ffmpeg" ? engine.tools.ffmpeg : program!, ...(rest.includes("-progress") ? [] : ["-progress", "pipe:1", "-nostats"]), ...rest]
            : [program!, ...rest];
          const duration = source.info?.durationSeconds ?? null;
          const phase = run.startPhase("command");
          const result = await runChild(argv, {
            signal,
            progress: ffmpeg,
            stopWith: ffmpeg ? "SIGKILL" : "SIGTERM",
            onSpawn: (pid) => onStep("command", pid),
            onProgress: (b) => onProgress?.({
              phase: "command",
              percent: duration && b.outTimeSeconds !== null ? Math.min(100, (b.outTimeSeconds / duration) * 100) : null,
              speed: b.speed,
              fps: b.fps,
            }),
          }).catch(async (error) => {
            await phase.end({ success: false, bytesRead: 0, bytesWritten: 0 });
            throw error;
          });
          trace("command exited");
          const outputSize = existsSync(output) ? statSync(output).size : 0;
          const ok = result.exitCode === 0 && !result.aborted && (!writesOutput || outputSize > 0);
          await run.action({
            type: "command",
            before: { argv: recordedArgv(command) },
            after: { exit_code: result.exitCode, output_bytes: writesOutput ? outputSize : null },
            success: ok,
            durationMs: result.wallTimeSeconds * 1000,
            message: ok ? null : result.stderrTail || null,
          });
          const progress = summarizeProgress(result.blocks, { wallTimeSeconds: result.wallTimeSeconds });
          await phase.end({
            success: ok,
            bytesRead: source.before.size,
            bytesWritten: writesOutput ? outputSize : null,
            encodingFps: progress.meanFps,
            encodingBitrate: progress.finalBitrate,
          });
          if (result.aborted) throw interrupted(signal, file, "command");
          if (result.exitCode !== 0) {
            throw new VpoError("COMMAND_FAILED", `Command exited with code ${result.exitCode}; "${file}" was left untouched${result.stderrTail ? `: ${result.stderrTail}` : ""}`, { details: result.failure });
          }
          if (writesOutput && outputSize === 0) {
            throw new VpoError("COMMAND_FAILED", `Command exited 0 but wrote no output to {output}; "${file}" was left untouched`, { details: result.failure });
          }
          return { output: writesOutput ? output : null };
        },
        // The command's contract is "exit 0 having written {output}", checked above; vpo cannot know what it meant to write.
        async verify() {},
      };
    },
  };
}
