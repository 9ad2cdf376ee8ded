/**
 * Progress from every machine, on this server's event stream: workers write how far their runs
 * are into the database every couple of seconds (their in-flight markers); this reads them once
 * a second while someone listens and publishes each change as `file.progress` — so every
 * `vpo serve` on the database shows every worker's files, not just its own process's.
 */
import { getLogger } from "@logtape/logtape";
import { type EventBus, errorMessage } from "../core/mod.ts";
import type { Reader } from "./reads/ops.ts";

const log = getLogger(["vpo", "server"]);

export interface ProgressPollerOptions {
  /** Default 1 s. */
  intervalMs?: number;
  /** Polls only while this says someone is listening (SSE clients). */
  listening(): boolean;
}

/** Starts polling; returns the function that stops it. */
export function pollProgress(reader: Reader, bus: EventBus, o: ProgressPollerOptions): () => void {
  const seen = new Map<string, string>();
  let busy = false;
  const tick = async () => {
    if (busy || !o.listening()) return;
    busy = true;
    try {
      const runs = await reader.read("inProgress", {});
      const now = new Set<string>();
      for (const r of runs) {
        now.add(r.run_id);
        const state = `${r.phase}|${r.percent}|${r.speed}|${r.updated_at}`;
        if (seen.get(r.run_id) === state) continue;
        seen.set(r.run_id, state);
        bus.emit("file.progress", {
          job_id: r.queue_job_id, file: r.file_path, percent: r.percent, speed: r.speed, fps: r.fps,
          run_id: r.run_id, node: r.node, library: r.library, path: r.path, phase: r.phase, eta_seconds: r.eta_seconds,
        });
      }
      for (const id of seen.keys()) if (!now.has(id)) seen.delete(id);
    } catch (error) {
      log.debug("Cannot read the runs in progress: {error}", { error: errorMessage(error) });
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(tick, o.intervalMs ?? 1_000);
  return () => clearInterval(timer);
}
