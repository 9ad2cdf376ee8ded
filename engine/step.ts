/**
 * The part of a run that differs between `vpo process` (the policy plan's ffmpeg passes) and
 * `vpo run` (any command): a step plugged into the one lifecycle (lifecycle.ts), which does
 * everything else — in-flight marker, capture, temp files, verify, commit, record.
 */
import type { ActiveRun, RunIntent } from "../core/mod.ts";
import type { ToolFailure } from "./child.ts";
import { VpoError } from "../core/mod.ts";
import type { Source } from "./source.ts";

export interface PhaseProgress {
  phase: string;
  /** 0–100 of the current phase, from the child's output time over the source duration. */
  percent: number | null;
  speed: number | null;
  fps: number | null;
}

/** What a step may use while it runs. */
export interface StepContext {
  run: ActiveRun;
  source: Source;
  signal: AbortSignal;
  /** A temp file beside the original (`tag` tells a step's files apart); removed whatever happens. */
  tempFile(tag: string, ext: string): string;
  /** Notes the phase now running and its child process (null once it ended) in the in-flight marker. */
  onStep(phase: string, childPid: number | null): Promise<void>;
  onProgress?: (progress: PhaseProgress) => void;
}

export interface StepResult {
  /** The temp file to put in place of the original, or null to leave the original as it is. */
  output: string | null;
  /** Where the output goes when it differs from the plan's (default: the plan's finalPath). */
  finalPath?: string;
  /** A failure that still lets the output replace the original (on_error: continue); the run is recorded as failed with it. */
  failure?: string | null;
  /** The command line and stderr tail behind `failure`. */
  failureDetail?: ToolFailure | null;
}

export interface StepPlan {
  /** What the transcode plugin is told. */
  intent: RunIntent;
  /** Temp outputs of about the source's size that exist at once (for the free-space check); 0 when nothing is written beside the file. */
  outputs: number;
  /** Where the result will live (a container change gives a new extension); default: the source's path. */
  finalPath?: string;
  /** Runs the phases into temp files. Throws on failure (VpoError INTERRUPTED when `signal` fired). */
  execute(ctx: StepContext): Promise<StepResult>;
  /** Throws VERIFY_FAILED when `output` must not replace the original. */
  verify(output: string): Promise<void>;
}

export interface RunStep {
  /** Phases the run plans; known before the file is read (it is phases_total even when planning fails). */
  readonly phasesTotal: number;
  /** The digest of the policy the step applies, recorded on the run; a file already processed by it is skipped. */
  readonly policyDigest?: string;
  /** Plans the work on the source as read at the start. A throw fails the run, which is still recorded. */
  plan(source: Source): StepPlan | Promise<StepPlan>;
}

/** The error of a run stopped by its AbortSignal; its record gets status "interrupted". */
export function interrupted(signal: AbortSignal, file: string, phase?: string): VpoError {
  return new VpoError("INTERRUPTED", `Interrupted by ${String(signal.reason ?? "a signal")}${phase ? ` during phase "${phase}"` : ""}; "${file}" was left untouched`);
}
