/**
 * How `vpo process` (and `vpo demo`) show a batch, driven by the engine's bus events:
 * a progress bar on a terminal, one plain line per file otherwise, NDJSON events with --json.
 */
import { basename } from "node:path";
import cliProgress from "cli-progress";
import type { EventBus, VpoEvents } from "../core/mod.ts";
import { formatBytes, formatDuration, formatSaving } from "./format.ts";

export type ViewMode = "bar" | "lines" | "json";

export interface ProcessView {
  /** Stops the bar and unsubscribes. */
  close(): void;
}

type Finished = VpoEvents["file.finished"];

/** The bar on a terminal, lines elsewhere, NDJSON when asked. */
export function chooseViewMode(json: boolean): ViewMode {
  return json ? "json" : process.stderr.isTTY ? "bar" : "lines";
}

/** One line about a finished file: outcome, name, what changed, time, full run id. */
export function describeFinished(e: Finished): string {
  if (e.status === "already_processed") return `[${e.index}/${e.total}] already processed by this policy (run ${e.run_id.slice(0, 13)}, ${String(e.processed_at).slice(0, 10)}): ${e.file}`;
  const status = e.success ? (e.changed ? "done" : "unchanged") : e.status === "interrupted" ? "INTERRUPTED" : "FAILED";
  const parts = [`[${e.index}/${e.total}] ${status.padEnd(9)} ${e.path === e.file ? e.file : `${e.file} → ${basename(String(e.path))}`}`];
  if (e.success && e.changed) parts.push(formatSaving(e.size_before as number | null, e.size_after as number | null));
  if (typeof e.duration_seconds === "number") parts.push(formatDuration(e.duration_seconds));
  // In full: runs started in the same millisecond share their first 13 characters, and a prefix
  // unique now may not stay so once the other workers' runs are stored.
  if (e.run_id) parts.push(`run ${e.run_id}`);
  const line = parts.join("  ·  ");
  return e.success ? line : `${line}\n      ${e.error ?? "unknown error"}`;
}

/** Subscribes a view to the bus. `sizes` (bytes per file) lets the bar estimate time from throughput. */
export function attachProcessView(bus: EventBus, mode: ViewMode, sizes: ReadonlyMap<string, number>): ProcessView {
  const offs: (() => void)[] = [];
  if (mode === "json") {
    const write = (event: string) => (payload: object) => void process.stdout.write(`${JSON.stringify({ event, ...payload })}\n`);
    for (const event of ["file.started", "file.progress", "file.finished"] as const) offs.push(bus.on(event, write(event)));
    return { close: () => offs.forEach((off) => off()) };
  }
  if (mode === "lines") {
    offs.push(bus.on("file.finished", (e) => void process.stdout.write(`${describeFinished(e)}\n`)));
    return { close: () => offs.forEach((off) => off()) };
  }

  const totalBytes = [...sizes.values()].reduce((a, b) => a + b, 0) || 1;
  const multi = new cliProgress.MultiBar({
    format: " {bar} {percentage}% | {done}/{files} files | {current} | {speed} | ETA {eta_formatted}",
    hideCursor: true,
    clearOnComplete: false,
    etaBuffer: 50,
    etaAsynchronousUpdate: true,
    barsize: 24,
    gracefulExit: false, // the batch handles SIGINT itself and closes the view when it is done
  }, cliProgress.Presets.shades_classic);
  const bar = multi.create(totalBytes, 0, { done: 0, files: sizes.size, current: "starting…", speed: "" });
  let doneBytes = 0;
  let done = 0;
  const inFlight = new Map<string, number>(); // file → fraction done
  const value = () => doneBytes + [...inFlight].reduce((n, [file, f]) => n + (sizes.get(file) ?? 0) * f, 0);
  offs.push(
    bus.on("file.started", (e) => {
      inFlight.set(e.file, 0);
      bar.update(value(), { current: basename(e.file) });
    }),
    bus.on("file.progress", (e) => {
      if (e.percent !== null) inFlight.set(e.file, e.percent / 100);
      bar.update(value(), { speed: e.speed !== null ? `${e.speed.toFixed(2)}x` : "", current: basename(e.file) });
    }),
    bus.on("file.finished", (e) => {
      inFlight.delete(e.file);
      doneBytes += sizes.get(e.file) ?? 0;
      done++;
      multi.log(`${describeFinished(e)}\n`);
      bar.update(value(), { done });
    }),
  );
  return {
    close() {
      offs.forEach((off) => off());
      bar.update(value() >= totalBytes || done === sizes.size ? totalBytes : value(), { done, current: done === sizes.size ? "finished" : "stopped", speed: "" });
      multi.update(); // flushes lines logged since the last redraw
      multi.stop();
    },
  };
}

/** The closing summary of a batch. */
export function describeBatch(s: { files: number; changed: number; unchanged: number; failed: number; interrupted: number; not_started: number; already_processed: number; size_saved: number; job: { id: string; status: string } }, policy: string): string {
  const counts = [`${s.changed} changed`, `${s.unchanged} unchanged`, `${s.failed} failed`];
  if (s.already_processed) counts.push(`${s.already_processed} already processed`);
  if (s.interrupted) counts.push(`${s.interrupted} interrupted`);
  if (s.not_started) counts.push(`${s.not_started} not started`);
  const saved = s.size_saved >= 0 ? `${formatBytes(s.size_saved)} saved` : `${formatBytes(-s.size_saved)} larger`;
  return `Processed ${s.files} file(s) with policy "${policy}": ${counts.join(", ")} · ${saved} · job ${s.job.id} ${s.job.status}`;
}
