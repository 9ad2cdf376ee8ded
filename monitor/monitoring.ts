/**
 * Monitoring in a long-running process (`vpo serve`, `vpo worker`): alert rules evaluated on the
 * run feed — every run recorded by any process or machine on the database — and on a timer;
 * notifications through the channels; a live stream of every server's notifications on the bus;
 * history kept `[alerts] history_days`. Nothing here ever waits on a channel.
 */
import { getLogger } from "@logtape/logtape";
import {
  addSilence, type AlertEventPayload, type Config, createEventBus, type DatabaseHandle, directFeedReader, errorMessage, type EventBus, eventsSince, finishAttempt,
  followRunFeed, parseDuration, pruneAlertHistory, recordEvent, type RuleConfig, type RunFeedFollower, VpoError,
} from "../core/mod.ts";
import { deliver, resolveChannelPaths } from "./channels/mod.ts";
import { type Clock, systemClock } from "./clock.ts";
import { createDispatcher, type DeliveryResult, type Dispatcher } from "./dispatcher.ts";
import { createEvaluator, type RuleStatus } from "./evaluator.ts";
import { alertMessage, sampleDetails } from "./messages.ts";
import { type MonitorInputs, RUN_DRIVEN_KINDS } from "./rules/observe.ts";

const log = getLogger(["vpo", "monitor"]);

export interface MonitoringOptions {
  /** The open database (only its Kysely instance is used). */
  database: Pick<DatabaseHandle, "db">;
  /** Where `run.recorded` arrives and where notifications are announced (`alert`). */
  bus: EventBus;
  config: Config;
  clock?: Clock;
  /** This machine's name (disk space rules measure here; test samples name it). */
  node: string;
  /** The dashboard's address for links, when `[server] public_url` is not set (a server passes its own URL). */
  publicUrl?: string;
  inputs?: MonitorInputs;
  /**
   * Follow the run feed itself (a worker, whose bus carries only its own runs). A server leaves it
   * off: its app already puts every run of the feed on the bus.
   */
  followFeed?: boolean;
  /** Evaluate on a timer and on runs recorded (default true; tests call evaluate() themselves). */
  timers?: boolean;
  /** After each delivery attempt (Prometheus counts them). */
  onDelivery?: (o: { channel: string; result: DeliveryResult }) => void;
}

export interface TestOutcome {
  channel: string;
  ok: boolean;
  error: string | null;
}

export interface Monitoring {
  /** Evaluates every rule now (after a reload; in tests with a test clock). */
  evaluate(): Promise<void>;
  /** Takes a new config (hot reload): rules, thresholds and channels apply from the next evaluation. */
  reconfigure(config: Config): void;
  /** Sends a sample notification of `rule` through its channels, once each; records it (kind "test"). */
  test(ruleName: string): Promise<TestOutcome[]>;
  /** No notifications for `ruleName` for `seconds`. */
  silence(ruleName: string, seconds: number, reason?: string | null): Promise<string>;
  status(): RuleStatus[];
  dispatcher: Dispatcher;
  /** Evaluations and delivery attempts in flight have finished (tests). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** The rule of that name, or a NOT_FOUND naming the rules there are. */
export function findRule(config: Config, name: string): RuleConfig {
  const rules = config.alerts?.rules ?? [];
  const rule = rules.find((r) => r.name === name);
  if (!rule) throw new VpoError("NOT_FOUND", `No alert rule "${name}" in the config; rules: ${rules.map((r) => r.name).join(", ") || "none (add [[alerts.rules]] to config.toml)"}`);
  return rule;
}

/** Starts monitoring; see MonitoringOptions. */
export async function startMonitoring(o: MonitoringOptions): Promise<Monitoring> {
  const clock = o.clock ?? systemClock;
  const db = o.database.db;
  let config = o.config;
  let channels = resolveChannelPaths(config.channels ?? {});
  const publicUrl = () => config.server?.public_url ?? o.publicUrl ?? `http://${config.server?.host ?? "127.0.0.1"}:${config.server?.port ?? 8321}`;
  const dispatcher = createDispatcher({ db, channels: () => channels, clock, onResult: o.onDelivery });

  // Notifications of every server reach this bus: this server's at once, the others' on each tick.
  const announced = new Set<number>();
  const announce = (n: AlertEventPayload) => {
    if (announced.has(n.id)) return;
    announced.add(n.id);
    if (announced.size > 5000) announced.delete(announced.values().next().value!);
    o.bus.emit("alert", n);
  };
  const evaluator = createEvaluator({ db, clock, config: () => config, dispatcher, inputs: o.inputs ?? {}, node: o.node, publicUrl, onNotification: announce });
  const startedAt = clock.now().toISOString();
  const catchUp = async () => {
    const tick = parseDuration(config.alerts?.evaluate_every ?? "30s");
    const since = new Date(Math.max(Date.parse(startedAt), clock.now().getTime() - 3 * tick * 1000)).toISOString();
    for (const e of await eventsSince(db, since)) {
      announce({ id: e.id, rule: e.rule, kind: e.kind, severity: e.severity, summary: e.summary ?? "", labels: JSON.parse(e.labels), at: e.at });
    }
  };

  // One evaluation at a time; asking during one runs one more after it (for every kind asked).
  let busy: Promise<void> | null = null;
  let pending: Set<string> | "all" | null = null;
  const evaluate = (kinds: Set<string> | "all") => {
    pending = pending === "all" || kinds === "all" ? "all" : new Set([...(pending ?? []), ...kinds]);
    if (busy) return busy;
    busy = (async () => {
      try {
        while (pending) {
          const now = pending;
          pending = null;
          await evaluator.evaluate(now === "all" ? undefined : now);
          await catchUp().catch((error) => log.warn("Cannot read other servers' notifications: {error}", { error: errorMessage(error) }));
        }
      } catch (error) {
        log.error("Alert evaluation failed: {error}", { error: errorMessage(error) });
      } finally {
        busy = null;
      }
    })();
    return busy;
  };

  // Kept `[alerts] history_days`: older notifications and deliveries go when monitoring starts.
  const keepDays = config.alerts?.history_days ?? 90;
  await pruneAlertHistory(db, new Date(clock.now().getTime() - keepDays * 86_400_000).toISOString())
    .then(({ events }) => events && log.info("Pruned {events} notification(s) older than {days} days", { events, days: keepDays }))
    .catch((error) => log.warn("Cannot prune the alert history: {error}", { error: errorMessage(error) }));

  const timers = o.timers !== false;
  let feedBus: EventBus = o.bus;
  let follower: RunFeedFollower | null = null;
  if (o.followFeed) {
    feedBus = createEventBus();
    follower = await followRunFeed(directFeedReader(db), feedBus);
  }
  // A run recorded anywhere: evaluate the run-driven rules at once (coalesced over 50 ms).
  let soon: ReturnType<typeof setTimeout> | null = null;
  const offRun = timers
    ? feedBus.on("run.recorded", () => {
      soon ??= setTimeout(() => {
        soon = null;
        void evaluate(new Set(RUN_DRIVEN_KINDS));
      }, 50);
    })
    : () => {};
  let interval: ReturnType<typeof setInterval> | null = null;
  const arm = () => {
    if (interval) clearInterval(interval);
    if (!timers) return;
    interval = setInterval(() => {
      void evaluate("all");
      void dispatcher.sweep().catch((error) => log.warn("Cannot look for deliveries to retry: {error}", { error: errorMessage(error) }));
    }, parseDuration(config.alerts?.evaluate_every ?? "30s") * 1000);
    interval.unref?.();
  };
  arm();
  if (timers) {
    void evaluate("all");
    void dispatcher.sweep().catch(() => {});
  }
  const rules = config.alerts?.rules ?? [];
  log.info("Monitoring {rules} alert rule(s) through {channels} channel(s), evaluated every {every} and on each run recorded", {
    rules: rules.length, channels: Object.keys(channels).length, every: config.alerts?.evaluate_every ?? "30s",
  });

  return {
    evaluate: () => evaluate("all"),
    reconfigure(next) {
      const every = config.alerts?.evaluate_every;
      config = next;
      channels = resolveChannelPaths(next.channels ?? {});
      if (next.alerts?.evaluate_every !== every) arm();
      log.info("Monitoring reconfigured: {rules} alert rule(s), {channels} channel(s)", { rules: next.alerts?.rules?.length ?? 0, channels: Object.keys(channels).length });
      if (timers) void evaluate("all");
    },
    async test(name) {
      const rule = findRule(config, name);
      const targets = rule.channels ?? [];
      if (targets.length === 0) throw new VpoError("INVALID_ARGUMENT", `Alert rule "${name}" has no channels to test; add channels = ["…"] to it`);
      const sample = sampleDetails(rule, o.node);
      const now = clock.now().toISOString();
      const message = alertMessage({ rule, kind: "test", ...sample, fired_at: now, resolved_at: null, publicUrl: publicUrl() });
      const { eventId, deliveryIds } = await recordEvent(db, {
        rule: rule.name, fingerprint: "", epoch: 0, seq: Math.floor(Math.random() * 2 ** 31), kind: "test", severity: rule.severity ?? "warning", labels: JSON.stringify(sample.labels), value: sample.value,
        summary: `Test: ${sample.summary}`, details: JSON.stringify(sample.details), message: JSON.stringify({ subject: message.subject, text: message.text, link: message.link }), silenced: 0, at: now,
      }, dispatcher.rows("test", targets, message));
      announce({ id: eventId, rule: rule.name, kind: "test", severity: rule.severity ?? "warning", summary: `Test: ${sample.summary}`, labels: sample.labels, at: now });
      // One attempt per channel, waited for: the person testing wants to know now, not after retries.
      return Promise.all(deliveryIds.map(async (id, i) => {
        const channel = targets[i]!;
        let error: string | null = null;
        try {
          const target = channels[channel];
          if (!target) throw new Error(`channel "${channel}" is not configured`);
          await deliver(target, message, { now: clock.now() });
        } catch (thrown) {
          error = errorMessage(thrown);
        }
        await finishAttempt(db, id, { status: error ? "failed" : "sent", attempts: 1, error, now: clock.now().toISOString(), nextAttemptAt: null });
        o.onDelivery?.({ channel, result: error ? "failed" : "sent" });
        return { channel, ok: error === null, error };
      }));
    },
    async silence(name, seconds, reason) {
      findRule(config, name);
      const until = new Date(clock.now().getTime() + seconds * 1000).toISOString();
      await addSilence(db, { rule: name, until, now: clock.now().toISOString(), reason });
      log.info("Alert rule {rule} silenced until {until}", { rule: name, until });
      return until;
    },
    status: () => evaluator.status(),
    dispatcher,
    async idle() {
      while (busy || soon) {
        if (soon) await Bun.sleep(60);
        await busy;
      }
      await dispatcher.idle();
    },
    async stop() {
      offRun();
      if (soon) clearTimeout(soon);
      if (interval) clearInterval(interval);
      follower?.stop();
      await follower?.settled();
      await busy;
      dispatcher.stop();
      await dispatcher.idle();
    },
  };
}
