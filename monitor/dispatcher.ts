/**
 * Deliveries: each message to each channel is a row in the database, tried in the background —
 * never awaited by whoever asked, so a channel that is down never blocks or slows anything else.
 * A failed attempt is retried with backoff (doubling) up to the channel's `retries`, then marked
 * failed; every attempt's outcome is recorded. Any server may take over a delivery that is due and
 * not held (a server stopped mid-way), and one server at a time holds it (a lease).
 */
import { getLogger } from "@logtape/logtape";
import {
  type ChannelConfig, type Db, dueDeliveries, errorMessage, finishAttempt, getDelivery, leaseDelivery, type NewDelivery, queueDeliveries,
} from "../core/mod.ts";
import { decodeMessage, deliver, encodeMessage, type Message, retryDelayMs, retryPolicy } from "./channels/mod.ts";
import type { Clock } from "./clock.ts";

const log = getLogger(["vpo", "monitor", "deliveries"]);

export type DeliveryResult = "sent" | "retrying" | "failed";

export interface DispatcherOptions {
  db: Db;
  /** The channels as configured now (hot reload changes them). */
  channels: () => Record<string, ChannelConfig>;
  clock: Clock;
  /** Called after each attempt (Prometheus counts deliveries by result). */
  onResult?: (o: { channel: string; result: DeliveryResult }) => void;
}

export interface Dispatcher {
  /** Starts deliveries already recorded (with their notification). */
  start(ids: readonly number[]): void;
  /** Starts every delivery that is due and not held by anyone (retries of a stopped server). */
  sweep(): Promise<void>;
  /** The rows to record for a message to these channels. */
  rows(source: string, channels: readonly string[], message: Message): Omit<NewDelivery, never>[];
  /** Records a message to one channel that belongs to no alert (a report's) and starts it; its delivery id. */
  enqueue(source: string, channel: string, message: Message): Promise<number>;
  /** Resolves when no attempt is running (tests; shutdown). Retries waiting for their time do not count. */
  idle(): Promise<void>;
  /** Stops scheduling retries (pending ones stay in the database for the next start). */
  stop(): void;
}

export function createDispatcher(o: DispatcherOptions): Dispatcher {
  const running = new Set<Promise<void>>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let stopped = false;
  const iso = () => o.clock.now().toISOString();

  const track = (p: Promise<void>) => {
    running.add(p);
    void p.finally(() => running.delete(p));
  };

  async function attempt(id: number): Promise<void> {
    if (stopped) return;
    const row = await getDelivery(o.db, id);
    if (!row || (row.status !== "pending" && row.status !== "retrying")) return;
    const channel = o.channels()[row.channel];
    const now = o.clock.now();
    if (!channel) {
      await finishAttempt(o.db, id, { status: "failed", attempts: row.attempts, error: `channel "${row.channel}" is not configured (any more)`, now: now.toISOString(), nextAttemptAt: null });
      o.onResult?.({ channel: row.channel, result: "failed" });
      return;
    }
    const policy = retryPolicy(channel);
    const leaseUntil = new Date(now.getTime() + policy.timeoutMs + 30_000).toISOString();
    if (!(await leaseDelivery(o.db, id, { attempts: row.attempts, now: now.toISOString(), leaseUntil }))) return; // another server has it
    const attempts = row.attempts + 1;
    const started = performance.now();
    try {
      await deliver(channel, decodeMessage(row.message), { now });
      await finishAttempt(o.db, id, { status: "sent", attempts, error: null, now: iso(), nextAttemptAt: null });
      log.info("Sent {source} notification #{delivery} to channel {channel} in {ms} ms", { source: row.source, delivery: id, channel: row.channel, ms: Math.round(performance.now() - started) });
      o.onResult?.({ channel: row.channel, result: "sent" });
    } catch (error) {
      const message = errorMessage(error);
      if (attempts <= policy.retries && !stopped) {
        const delay = retryDelayMs(policy, attempts);
        await finishAttempt(o.db, id, { status: "retrying", attempts, error: message, now: iso(), nextAttemptAt: new Date(o.clock.now().getTime() + delay).toISOString() });
        log.warn("Delivery #{delivery} to channel {channel} failed (attempt {attempt} of {max}): {error}; retrying in {seconds} s", {
          delivery: id, channel: row.channel, attempt: attempts, max: policy.retries + 1, error: message, seconds: delay / 1000,
        });
        o.onResult?.({ channel: row.channel, result: "retrying" });
        schedule(id, delay);
      } else {
        await finishAttempt(o.db, id, { status: "failed", attempts, error: message, now: iso(), nextAttemptAt: null });
        log.error("Delivery #{delivery} to channel {channel} failed for good after {attempts} attempt(s): {error}", { delivery: id, channel: row.channel, attempts, error: message });
        o.onResult?.({ channel: row.channel, result: "failed" });
      }
    }
  }

  const run = (id: number) => track(attempt(id).catch((error) => log.error("Delivery #{delivery} could not be attempted: {error}", { delivery: id, error: errorMessage(error) })));

  function schedule(id: number, delayMs: number) {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run(id);
    }, delayMs);
    timer.unref?.();
    timers.add(timer);
  }

  const rows: Dispatcher["rows"] = (source, channels, message) => {
    const now = iso();
    const text = encodeMessage(message);
    return channels.map((channel) => ({
      source, channel, message: text, status: "pending" as const, attempts: 0, last_error: null, created_at: now, updated_at: now, next_attempt_at: now, lease_until: null, delivered_at: null,
    }));
  };

  return {
    rows,
    async enqueue(source, channel, message) {
      const [id] = await queueDeliveries(o.db, rows(source, [channel], message));
      run(id!);
      return id!;
    },
    start(ids) {
      for (const id of ids) run(id);
    },
    async sweep() {
      if (stopped) return;
      for (const row of await dueDeliveries(o.db, iso())) run(row.id);
    },
    async idle() {
      while (running.size) await Promise.allSettled([...running]);
    },
    stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
