import { getLogger } from "@logtape/logtape";
import { VpoError } from "../../core/mod.ts";
import type { Reader } from "./ops.ts";

const log = getLogger(["vpo", "server", "reads"]);

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
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

/**
 * A pool of read workers over the SQLite file at `path`, each with its own read-only
 * connection. Reads go to the least busy worker; a crashed worker fails its pending reads
 * and is replaced.
 */
export function createWorkerReader(path: string, options: { size?: number } = {}): Reader {
  const size = Math.max(1, options.size ?? 1);
  let nextId = 1;
  let closed = false;
  const slots: Slot[] = [];

  const spawn = (index: number): Slot => {
    const worker = new Worker(new URL("./worker.ts", import.meta.url).href);
    const slot: Slot = { worker, pending: new Map() };
    worker.onmessage = (event: MessageEvent) => {
      const msg = event.data as { id: number; ok: boolean; value?: unknown; error?: SerialisedError };
      const pending = slot.pending.get(msg.id);
      if (!pending) return;
      slot.pending.delete(msg.id);
      if (msg.ok) pending.resolve(msg.value);
      else pending.reject(revive(msg.error!));
    };
    worker.onerror = (event) => {
      log.error("Read worker crashed: {message}", { message: (event as ErrorEvent).message });
      for (const p of slot.pending.values()) p.reject(new VpoError("DB_ERROR", "Read worker crashed"));
      slot.pending.clear();
      worker.terminate();
      if (!closed) slots[index] = spawn(index);
    };
    worker.postMessage({ init: path });
    return slot;
  };
  for (let i = 0; i < size; i++) slots.push(spawn(i));

  return {
    read(op, args) {
      if (closed) return Promise.reject(new VpoError("DB_ERROR", "The read pool is closed"));
      const slot = slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        slot.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        slot.worker.postMessage({ id, op, args });
      });
    },
    async close() {
      closed = true;
      await Promise.all(
        slots.map((slot) => {
          for (const p of slot.pending.values()) p.reject(new VpoError("DB_ERROR", "The read pool is closed"));
          slot.pending.clear();
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
  };
}
