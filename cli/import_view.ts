/**
 * How `vpo stats import` shows its progress on a terminal: a bar per pass over the file (checking
 * every line, then storing), by bytes read, with the lines or runs so far and the rate. A 1M-run
 * import takes minutes; without it the command looks hung. Nothing is drawn when stderr is not a
 * terminal (scripts, CI) or the output is JSON.
 */
import cliProgress from "cli-progress";
import type { ImportProgress } from "../core/mod.ts";

export interface ImportView {
  /** Counts the bytes of a pass's stream as they are read. */
  counted(stream: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array>;
  onProgress(progress: ImportProgress): void;
  /** Stops the bar (call before printing the result). */
  close(): void;
}

const LABELS: Record<ImportProgress["phase"], string> = { checking: "Checking ", storing: "Importing" };

/**
 * A view over a file of `totalBytes`. `output` is where the bar goes (stderr); `tty` false gives a
 * view that only counts. Rates are runs (lines while checking) per second of the pass.
 */
export function importView(totalBytes: number, output: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr, tty = Boolean(output.isTTY)): ImportView {
  let bytes = 0;
  let phase: ImportProgress["phase"] | undefined;
  let bar: cliProgress.SingleBar | undefined;
  let started = 0;
  const stop = () => {
    bar?.update(totalBytes);
    bar?.stop();
    bar = undefined;
  };
  return {
    async *counted(stream) {
      bytes = 0;
      for await (const chunk of stream) {
        bytes += chunk.length;
        yield chunk;
      }
    },
    onProgress(p) {
      if (!tty) return;
      if (p.phase !== phase) {
        stop();
        phase = p.phase;
        started = performance.now();
        bar = new cliProgress.SingleBar({
          format: ` ${LABELS[p.phase]} {bar} {percentage}% | {detail} | ETA {eta_formatted}`,
          stream: output, hideCursor: true, barsize: 24, etaBuffer: 20, gracefulExit: false,
        }, cliProgress.Presets.shades_classic);
        bar.start(totalBytes || 1, 0, { detail: "" });
      }
      const seconds = (performance.now() - started) / 1000;
      const count = p.phase === "checking" ? p.lines : p.stored + p.duplicates;
      const rate = seconds > 0 ? ` · ${Math.round(count / seconds).toLocaleString("en-US")}/s` : "";
      const detail = p.phase === "checking"
        ? `${p.lines.toLocaleString("en-US")} lines${p.invalid ? `, ${p.invalid.toLocaleString("en-US")} invalid` : ""}${rate}`
        : `${p.stored.toLocaleString("en-US")} runs stored${p.duplicates ? `, ${p.duplicates.toLocaleString("en-US")} already there` : ""}${rate}`;
      bar!.update(Math.min(bytes, totalBytes), { detail });
    },
    close: stop,
  };
}
