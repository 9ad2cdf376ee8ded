/**
 * Executing a file plan: one ffmpeg pass per phase that changes something, each reading the
 * previous pass's temp file and writing the next one beside the original. Phases without
 * changes are still reported (as having read and written nothing). The original is never
 * written here; the lifecycle decides whether the last temp file may replace it.
 */
import { existsSync, rmSync, statSync } from "node:fs";
import { getLogger } from "@logtape/logtape";
import { type ActiveRun, type MediaInfo, VpoError } from "../core/mod.ts";
import { runChild, type ToolFailure } from "./child.ts";
import { phaseArgs } from "./ffmpeg_args.ts";
import { summarizeProgress } from "./ffmpeg_progress.ts";
import { planPhases } from "./plan/plan.ts";
import type { FilePlan, MediaState, PhasePlan } from "./plan/types.ts";
import type { OnError, Policy } from "./policy/schema.ts";
import type { Engine } from "./session.ts";
import { interrupted, type StepContext } from "./step.ts";

const log = getLogger(["vpo", "engine"]);

export interface ExecuteOptions {
  engine: Engine;
  ctx: StepContext;
  plan: FilePlan;
  sourceInfo: MediaInfo;
  policy: Policy;
  onError: OnError;
}

export interface ExecuteResult {
  /** The last temp file written, or null when no pass succeeded. */
  output: string | null;
  /** What that output should contain. */
  expected: MediaState;
  /** Messages of phases that failed and were passed over (on_error: continue). */
  failures: string[];
  /** The command line and stderr tail of the last of those. */
  lastFailure: ToolFailure | null;
}

/** Deletes a temp file now if possible; whatever stays is removed with the run's other temp files. */
function discard(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // removed at the end of the run, or reported there
  }
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
  const { run, signal } = o.ctx;
  const file = o.plan.path;
  let phases = o.plan.phases;
  let current = file;
  let state = o.plan.source;
  const failures: string[] = [];
  let lastFailure: ToolFailure | null = null;
  for (let k = 0; k < phases.length; k++) {
    const phase = phases[k]!;
    const timer = run.startPhase(phase.name);
    if (!phase.changes) {
      await reportActions(run, phase, true, null, null);
      await timer.end({ bytesRead: 0, bytesWritten: 0 });
      continue;
    }
    const bytesRead = statSync(current).size;
    if (signal.aborted) {
      await timer.end({ success: false, bytesRead: 0, bytesWritten: 0 });
      throw interrupted(signal, file, phase.name);
    }
    const output = o.ctx.tempFile(`p${phase.index}`, phase.output.ext);
    const probed = current === file ? o.sourceInfo : await o.engine.probe(current);
    await o.ctx.onStep(phase.name, null);
    const duration = o.sourceInfo.durationSeconds;
    const result = await runChild([o.engine.tools.ffmpeg, ...phaseArgs(phase, probed, output)], {
      signal,
      progress: true,
      onSpawn: (pid) => o.ctx.onStep(phase.name, pid),
      onProgress: (b) => o.ctx.onProgress?.({
        phase: phase.name,
        percent: duration && b.outTimeSeconds !== null ? Math.min(100, (b.outTimeSeconds / duration) * 100) : null,
        speed: b.speed,
        fps: b.fps,
      }),
    });
    const bytesWritten = existsSync(output) ? statSync(output).size : 0;
    const ok = result.exitCode === 0 && !result.aborted && bytesWritten > 0;
    const why = result.aborted ? "interrupted" : result.exitCode !== 0 ? `ffmpeg exited with code ${result.exitCode}: ${result.error}` : "ffmpeg wrote no output";
    await reportActions(run, phase, ok, result.wallTimeSeconds * 1000, ok ? null : why);
    const progress = summarizeProgress(result.blocks, { wallTimeSeconds: result.wallTimeSeconds });
    await timer.end({ bytesRead, bytesWritten, encodingFps: progress.meanFps, encodingBitrate: progress.finalBitrate, success: ok });
    log.debug("Phase {phase} {outcome} in {seconds} s: read {bytes_read} bytes, wrote {bytes_written}, {fps} fps", {
      phase: phase.name, outcome: ok ? "done" : "failed", seconds: Math.round(result.wallTimeSeconds * 1000) / 1000, bytes_read: bytesRead, bytes_written: bytesWritten,
      fps: progress.meanFps === null ? "no" : Math.round(progress.meanFps * 10) / 10,
    });
    if (result.aborted) throw interrupted(signal, file, phase.name);
    if (!ok) {
      discard(output);
      const message = `Phase "${phase.name}" failed (${why})`;
      if (o.onError !== "continue") throw new VpoError("COMMAND_FAILED", `${message}; "${file}" was left untouched`, { details: result.failure });
      // Go on from the last good state: the remaining phases are planned again without this one.
      log.warn("{message}; going on with the next phases (on_error: continue)", { message, phase: phase.name });
      lastFailure = result.failure;
      failures.push(message);
      phases = [...phases.slice(0, k + 1), ...planPhases(o.policy, state, k + 1)];
      continue;
    }
    if (current !== file) discard(current); // the previous intermediate is no longer needed
    current = output;
    state = phase.output;
  }
  return { output: current === file ? null : current, expected: state, failures, lastFailure };
}
