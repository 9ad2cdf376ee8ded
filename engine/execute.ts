/**
 * Executing a file plan: one ffmpeg pass per phase that changes something, each reading the
 * previous pass's temp file and writing the next one beside the original. Phases without
 * changes are still reported (as having read and written nothing). The original is never
 * written here; process_file.ts decides whether the last temp file may replace it.
 */
import { existsSync, rmSync, statSync } from "node:fs";
import { type ActiveRun, type MediaInfo, VpoError } from "../core/mod.ts";
import { phaseArgs } from "./ffmpeg_args.ts";
import { summarizeProgress } from "./ffmpeg_progress.ts";
import { runFfmpeg } from "./ffmpeg_run.ts";
import { planPhases } from "./plan/plan.ts";
import type { FilePlan, MediaState, PhasePlan } from "./plan/types.ts";
import type { OnError, Policy } from "./policy/schema.ts";
import type { Engine } from "./session.ts";

export interface PhaseProgress {
  phase: string;
  /** 0–100 of the current phase, from ffmpeg's output time over the source duration. */
  percent: number | null;
  speed: number | null;
  fps: number | null;
}

export interface ExecuteOptions {
  engine: Engine;
  run: ActiveRun;
  plan: FilePlan;
  sourceInfo: MediaInfo;
  policy: Policy;
  onError: OnError;
  tempPrefix: string;
  signal: AbortSignal;
  onProgress?: (progress: PhaseProgress) => void;
  /** Called before each ffmpeg pass with its phase and child pid (null once it ended). */
  onStep?: (phase: string, childPid: number | null) => void | Promise<void>;
}

export interface ExecuteResult {
  /** The last temp file written, or null when no pass succeeded. */
  output: string | null;
  /** What that output should contain. */
  expected: MediaState;
  /** Messages of phases that failed and were passed over (on_error: continue). */
  failures: string[];
}

export function interrupted(signal: AbortSignal, file: string, phase?: string): VpoError {
  return new VpoError("INTERRUPTED", `Interrupted by ${String(signal.reason ?? "a signal")}${phase ? ` during phase "${phase}"` : ""}; "${file}" was left untouched`);
}

async function reportActions(run: ActiveRun, phase: PhasePlan, ok: boolean, wallMs: number | null, failure: string | null) {
  const timed = phase.actions.find((a) => a.type === "transcode" && a.trackType === "video");
  for (const a of phase.actions) {
    await run.action({
      type: a.type, trackType: a.trackType, trackIndex: a.trackIndex, before: a.before, after: ok ? a.after : a.before,
      success: ok, durationMs: a === timed ? wallMs : null, rule: a.rule, message: ok ? a.message : `${a.message} — not applied: ${failure}`,
    });
  }
}

/** Runs the plan's phases; throws on failure unless on_error is "continue". */
export async function executePlan(o: ExecuteOptions): Promise<ExecuteResult> {
  const file = o.plan.path;
  let phases = o.plan.phases;
  let current = file;
  let state = o.plan.source;
  const failures: string[] = [];
  for (let k = 0; k < phases.length; k++) {
    const phase = phases[k]!;
    const timer = o.run.startPhase(phase.name);
    if (!phase.changes) {
      await reportActions(o.run, phase, true, null, null);
      await timer.end({ bytesRead: 0, bytesWritten: 0 });
      continue;
    }
    const bytesRead = statSync(current).size;
    if (o.signal.aborted) {
      await timer.end({ success: false, bytesRead: 0, bytesWritten: 0 });
      throw interrupted(o.signal, file, phase.name);
    }
    const output = `${o.tempPrefix}.p${phase.index}${phase.output.ext}`;
    const probed = current === file ? o.sourceInfo : await o.engine.probe(current);
    await o.onStep?.(phase.name, null);
    const duration = o.sourceInfo.durationSeconds;
    const result = await runFfmpeg(o.engine.tools.ffmpeg, phaseArgs(phase, probed, output), {
      signal: o.signal,
      onSpawn: (pid) => o.onStep?.(phase.name, pid),
      onProgress: (b) => o.onProgress?.({
        phase: phase.name,
        percent: duration && b.outTimeSeconds !== null ? Math.min(100, (b.outTimeSeconds / duration) * 100) : null,
        speed: b.speed,
        fps: b.fps,
      }),
    });
    const bytesWritten = existsSync(output) ? statSync(output).size : 0;
    const ok = result.exitCode === 0 && !result.aborted && bytesWritten > 0;
    const why = result.aborted ? "interrupted" : result.exitCode !== 0 ? `ffmpeg exited with code ${result.exitCode}: ${result.error}` : "ffmpeg wrote no output";
    await reportActions(o.run, phase, ok, result.wallTimeSeconds * 1000, ok ? null : why);
    const progress = summarizeProgress(result.blocks, { wallTimeSeconds: result.wallTimeSeconds });
    await timer.end({ bytesRead, bytesWritten, encodingFps: progress.meanFps, encodingBitrate: progress.finalBitrate, success: ok });
    if (result.aborted) throw interrupted(o.signal, file, phase.name);
    if (!ok) {
      rmSync(output, { force: true });
      const message = `Phase "${phase.name}" failed (${why})`;
      if (o.onError !== "continue") throw new VpoError("COMMAND_FAILED", `${message}; "${file}" was left untouched`);
      // Go on from the last good state: the remaining phases are planned again without this one.
      failures.push(message);
      phases = [...phases.slice(0, k + 1), ...planPhases(o.policy, state, k + 1)];
      continue;
    }
    if (current !== file) rmSync(current, { force: true }); // the previous intermediate is no longer needed
    current = output;
    state = phase.output;
  }
  return { output: current === file ? null : current, expected: state, failures };
}
