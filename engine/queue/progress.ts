/**
 * A worker's run reports itself into its in-flight marker every few seconds — how far it is
 * (percent of the current phase, speed, fps, time left) and that it is alive — so every
 * `vpo serve` on the database shows it, and another machine can tell when its owner is gone.
 */
import { getLogger } from "@logtape/logtape";
import { type Db, errorMessage, noteInFlightProgress, type RunProgress } from "../../core/mod.ts";
import type { PhaseProgress } from "../step.ts";

const log = getLogger(["vpo", "queue"]);

/** How often progress and the run's heartbeat are written. */
export const PROGRESS_INTERVAL_MS = 2_000;

export interface ProgressReporter {
  /** Give it every progress report of the run; it keeps the latest. */
  onProgress(progress: PhaseProgress): void;
  /** Stops writing (the marker goes with the run). */
  stop(): Promise<void>;
}

/** Seconds left in a phase, from how long its progress so far took. */
export function etaSeconds(percent: number | null, elapsedSeconds: number): number | null {
  if (percent === null || percent <= 0 || elapsedSeconds <= 0) return null;
  return Math.round((elapsedSeconds * (100 - Math.min(100, percent))) / percent);
}

/** Starts writing `runId`'s progress and heartbeat every `intervalMs` until stopped. */
export function reportProgress(db: Db, runId: string, intervalMs = PROGRESS_INTERVAL_MS): ProgressReporter {
  let latest: RunProgress | null = null;
  let phase: { name: string; startedAt: number } | null = null;
  let writing: Promise<void> = Promise.resolve();
  const write = () => {
    const progress = latest;
    writing = writing.then(() =>
      noteInFlightProgress(db, runId, progress, new Date().toISOString()).catch((error) => {
        log.debug("Cannot note the progress of run {run_id}: {error}", { run_id: runId, error: errorMessage(error) });
      }),
    );
  };
  write();
  const timer = setInterval(write, intervalMs);
  return {
    onProgress(p) {
      const now = performance.now();
      if (phase?.name !== p.phase) phase = { name: p.phase, startedAt: now };
      latest = { percent: p.percent === null ? null : Math.round(p.percent * 10) / 10, speed: p.speed, fps: p.fps, etaSeconds: etaSeconds(p.percent, (now - phase.startedAt) / 1000) };
    },
    async stop() {
      clearInterval(timer);
      await writing;
    },
  };
}
