import { getLogger } from "@logtape/logtape";
import { VpoError } from "../../core/mod.ts";
import { budgetError, budgetOf, DEFAULT_READ_BUDGET_MS, laneOf, type Reader, type ReadOp } from "./ops.ts";

const log = getLogger(["vpo", "server", "reads"]);

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  timer: ReturnType<typeof setTimeout>;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

type SerialisedError = { vpo: boolean; code: string; message: string; details?: unknown };

function revive(error: SerialisedError): Error {
  if (error.vpo) return new VpoError(error.code as never, error.message, { details: error.details });
  return new VpoError("DB_ERROR", `Read failed: ${error.message}`);
}

export interface WorkerReaderOptions {
  /** Workers for the cheap views (summaries, lists, the feed); default 1. */
  size?: number;
  /** Longest a read may take before it is stopped and answered 503 (default 10 s). */
  budgetMs?: number;
}

/**
 * Read worker threads over the SQLite file at `path`, each with its own read-only connection, in
 * two lanes: the cheap views (read from the rollups) never wait behind a query that may scan
 * (searching runs by path, a file's history), which has a worker of its own. A read that runs past
 * its budget is stopped — its worker is terminated, which ends the query at once, and replaced —
 * and answered QUERY_TIMEOUT instead of being left to the connection's idle timeout; the other
 * reads queued on that worker are answered the same way. A crashed worker is replaced likewise.
 */
export function createWorkerReader(path: string, options: WorkerReaderOptions = {}): Reader {
  const budgetMs = options.budgetMs ?? DEFAULT_READ_BUDGET_MS;
  let nextId = 1;
  let closed = false;
  const lanes = { fast: [] as Slot[], slow: [] as Slot[] };

  const fail = (slot: Slot, error: Error) => {
    for (const p of slot.pending.values()) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    slot.pending.clear();
  };
  const replace = (lane: Slot[], slot: Slot) => {
    slot.worker.terminate();
    const index = lane.indexOf(slot);
    if (!closed && index >= 0) lane[index] = spawn(lane);
  };
  const spawn = (lane: Slot[]): Slot => {
    const worker = new Worker(new URL("./worker.ts", import.meta.url).href);
    const slot: Slot = { worker, pending: new Map() };
    worker.onmessage = (event: MessageEvent) => {
      const msg = event.data as { id: number; ok: boolean; value?: unknown; error?: SerialisedError };
      const pending = slot.pending.get(msg.id);
      if (!pending) return;
      slot.pending.delete(msg.id);
      clearTimeout(pending.timer);
      if (msg.ok) pending.resolve(msg.value);
      else pending.reject(revive(msg.error!));
    };
    worker.onerror = (event) => {
      log.error("Read worker crashed: {message}", { message: (event as ErrorEvent).message });
      fail(slot, new VpoError("DB_ERROR", "Read worker crashed"));
      replace(lane, slot);
    };
    worker.postMessage({ init: path });
    return slot;
  };
  for (let i = 0; i < Math.max(1, options.size ?? 1); i++) lanes.fast.push(spawn(lanes.fast));
  lanes.slow.push(spawn(lanes.slow));

  return {
    read(op: ReadOp, args: unknown) {
      if (closed) return Promise.reject(new VpoError("DB_ERROR", "The read pool is closed"));
      const lane = lanes[laneOf(op)];
      const slot = lane.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
      const id = nextId++;
      const ms = budgetOf(op, budgetMs);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          log.warn("Read {op} passed its budget of {ms} ms: stopped", { op, ms });
          fail(slot, budgetError(op, ms));
          replace(lane, slot);
        }, ms);
        slot.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
        slot.worker.postMessage({ id, op, args });
      });
    },
    async close() {
      closed = true;
      await Promise.all(
        [...lanes.fast, ...lanes.slow].map((slot) => {
          fail(slot, new VpoError("DB_ERROR", "The read pool is closed"));
          // Wait for the thread to be gone (bounded), so the process can exit at once afterwards.
          const gone = new Promise<void>((resolve) => {
            slot.worker.addEventListener("close", () => resolve(), { once: true });
            setTimeout(resolve, 1000).unref();
          });
          slot.worker.terminate();
          return gone;
        }),
      );
    },
  } as Reader;
}
