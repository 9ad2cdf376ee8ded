import { type EventBus, type EventName, toJson } from "../core/mod.ts";

/** The bus events streamed to /api/events clients. */
export const STREAMED_EVENTS = ["run.recorded", "job.updated", "file.started", "file.progress", "file.finished", "alert"] as const satisfies readonly EventName[];

/** Open Server-Sent Events streams fed from the event bus. */
export interface SseHub {
  /** A text/event-stream response that forwards bus events until the client goes away. */
  open(request: Request): Response;
  /** Ends every stream (graceful shutdown). */
  closeAll(): void;
  readonly clients: number;
}

const encoder = new TextEncoder();

/**
 * Creates the hub. Each client gets `retry:` advice, one `event:`/`data:` frame per bus event,
 * and a `: ping` comment every `heartbeatMs` so proxies keep the connection; disconnecting
 * (abort or cancel) unsubscribes it from the bus.
 */
export function createSseHub(bus: EventBus, options: { heartbeatMs?: number } = {}): SseHub {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const closers = new Set<() => void>();
  let sequence = 0;

  return {
    open(request) {
      let cleanup = () => {};
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          const send = (text: string) => {
            try {
              controller.enqueue(encoder.encode(text));
            } catch {
              cleanup();
            }
          };
          const unsubscribe = STREAMED_EVENTS.map((name) =>
            bus.on(name, (payload) => send(`id: ${++sequence}\nevent: ${name}\ndata: ${toJson(payload)}\n\n`)),
          );
          const heartbeat = setInterval(() => send(": ping\n\n"), heartbeatMs);
          let done = false;
          cleanup = () => {
            if (done) return;
            done = true;
            clearInterval(heartbeat);
            for (const off of unsubscribe) off();
            closers.delete(close);
          };
          const close = () => {
            cleanup();
            try {
              controller.close();
            } catch {}
          };
          closers.add(close);
          request.signal.addEventListener("abort", close, { once: true });
          send(`retry: 3000\n: connected; events: ${STREAMED_EVENTS.join(", ")}\n\n`);
        },
        cancel() {
          cleanup();
        },
      });
      return new Response(stream, {
        headers: {
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-cache, no-transform",
          connection: "keep-alive",
          "x-accel-buffering": "no",
        },
      });
    },
    closeAll() {
      for (const close of [...closers]) close();
    },
    get clients() {
      return closers.size;
    },
  };
}
