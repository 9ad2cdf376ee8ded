import { getLogger } from "@logtape/logtape";

const log = getLogger(["vpo", "events"]);

/** Summary of a stored run, as broadcast to listeners (SSE, Prometheus, alerts). */
export interface RunRecordedEvent {
  id: string;
  file_path: string;
  policy_name: string;
  processed_at: string;
  status: string;
  success: boolean;
  size_before: number | null;
  size_after: number | null;
  size_change: number | null;
  duration_seconds: number | null;
  node?: string | null;
  library?: string | null;
  error_message?: string | null;
}

export interface VpoEvents {
  "run.recorded": RunRecordedEvent;
  /** Runs were deleted (purge) by some process on this database. */
  "runs.purged": { at: string };
  "job.updated": { id: string; type: string; status: string; [key: string]: unknown };
  "file.started": { job_id: string | null; file: string; index: number; total: number };
  "file.progress": {
    job_id: string | null; file: string; percent: number | null; speed: number | null; fps: number | null;
    /** From a run in flight on any machine (vpo serve reads them from the database): which run, where, and how long it has left. */
    run_id?: string; node?: string | null; library?: string | null; path?: string; phase?: string | null; eta_seconds?: number | null;
  };
  "file.finished": { job_id: string | null; file: string; run_id: string; success: boolean; [key: string]: unknown };
  /** An alert notification (fired, repeated, resolved, held back by a silence) made by any server on this database. */
  alert: AlertEventPayload;
}

export interface AlertEventPayload {
  id: number;
  rule: string;
  /** firing, resolved, silenced or test */
  kind: string;
  severity: string;
  summary: string;
  labels: Record<string, string | null>;
  at: string;
}

export type EventName = keyof VpoEvents;
export type Listener<E extends EventName> = (payload: VpoEvents[E]) => void;

export interface EventBus {
  /** Subscribes; returns the function that unsubscribes. */
  on<E extends EventName>(event: E, listener: Listener<E>): () => void;
  /** Delivers synchronously; a throwing listener is logged and does not stop the others. */
  emit<E extends EventName>(event: E, payload: VpoEvents[E]): void;
}

/** Creates an in-process event bus. */
export function createEventBus(): EventBus {
  const listeners = new Map<EventName, Set<Listener<any>>>();
  return {
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    },
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) {
        try {
          listener(payload);
        } catch (error) {
          log.warn("Listener for {event} failed: {error}", { event, error: String(error) });
        }
      }
    },
  };
}

/** The broadcast form of a stored run. */
export function toRecordedEvent(run: RunRecordedEvent): RunRecordedEvent {
  const { id, file_path, policy_name, processed_at, status, success, size_before, size_after, size_change, duration_seconds } = run;
  return {
    id, file_path, policy_name, processed_at, status, success, size_before, size_after, size_change, duration_seconds,
    node: run.node ?? null, library: run.library ?? null, error_message: run.error_message ?? null,
  };
}
