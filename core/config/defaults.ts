import { join } from "node:path";
import { dataDir } from "../paths.ts";
import type { Config } from "./schema.ts";

type Env = Record<string, string | undefined>;

/**
 * Built-in defaults: the bottom layer. Logging defaults to `warning` so that a command's own
 * output is all a person sees; `--log-level info` (or `[logging] level`) shows progress detail.
 */
export function defaultConfig(env: Env = process.env): Config {
  return {
    database: { path: join(dataDir(env), "library.db") },
    tools: { probe_timeout_seconds: 30 },
    logging: { level: "warning", json: false, max_bytes: 10 * 1024 * 1024, backup_count: 3, store_level: "warning" },
    jobs: { retention_days: 90 },
    server: { host: "127.0.0.1", port: 8321, cors_origins: [], body_limit_bytes: 10 * 1024 * 1024 },
    plugins: { load: [], hook_timeout_ms: 30_000, options: {} },
    processing: { workers: 1, keep_backup: false },
    queue: { heartbeat_seconds: 30, check_interval_seconds: 10, retry_limit: 2, retry_delay_seconds: 30, stop_timeout_seconds: 60 },
    node: {},
    libraries: {},
    channels: {},
    alerts: { evaluate_every: "30s", history_days: 90, rules: [] },
    retention: { logs_days: 90, reports_days: 365 },
    reports: { schedule: [] },
  };
}
