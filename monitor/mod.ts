/**
 * Monitoring: alert rules and notification channels, reacting to the core run feed. Knows no
 * terminal and no HTTP server; `vpo serve` and `vpo worker` start it, the CLI and the routes read
 * what it stored.
 *
 * @example
 * const monitoring = await startMonitoring({ database, bus, config, node: "nas" });
 * // … later, after config.toml changed:
 * monitoring.reconfigure(newConfig);
 */
export { findRule, startMonitoring, type Monitoring, type MonitoringOptions, type TestOutcome } from "./monitoring.ts";
export { type Clock, manualClock, systemClock } from "./clock.ts";
export { createDispatcher, type DeliveryResult, type Dispatcher, type DispatcherOptions } from "./dispatcher.ts";
export type { RuleStatus } from "./evaluator.ts";
export type { MonitorInputs } from "./rules/observe.ts";
export { alertMessage, linkFor, renderTemplate } from "./messages.ts";
/** Channels: `deliver(channel, message)` — one attempt; the dispatcher retries and records. */
export {
  type Attachment, decodeMessage, deliver, encodeMessage, type Message, resolveChannelPaths, retryPolicy, type RetryPolicy, signature, webhookBody,
} from "./channels/mod.ts";
export { alertOverview, AlertSchema, type RuleOverview, RuleOverviewSchema } from "./overview.ts";
export { type ConfigReloader, createConfigReloader, type ReloadOutcome, RESTART_KEYS, restartNeeded } from "./config_reload.ts";
export { createLogStoreSink, type LogStoreSink } from "./log_store.ts";
