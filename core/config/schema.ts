import type { Cron } from "croner";
import * as v from "valibot";
import { AlertsSchema, ChannelsSchema, days, MAX_TIMER_SECONDS } from "./monitoring.ts";

/** `~` or `~/…`: a path in the home folder, as a shell would expand it (configLoad expands it). */
export const homeRelative = (path: string): boolean => path === "~" || path.startsWith("~/");

const positiveInt = v.pipe(v.number(), v.integer(), v.minValue(1));
const timerSeconds = v.pipe(positiveInt, v.maxValue(MAX_TIMER_SECONDS, `expected at most ${MAX_TIMER_SECONDS} seconds (24 days): a timer cannot wait longer`));
const timerMs = v.pipe(positiveInt, v.maxValue(MAX_TIMER_SECONDS * 1000, `expected at most ${MAX_TIMER_SECONDS * 1000} ms (24 days): a timer cannot wait longer`));

/** Log levels accepted by `[logging] level`, `--log-level` and `VPO_LOGGING_LEVEL`. */
export const LOG_LEVELS = ["debug", "info", "warning", "error"] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** `~/.vpo/config.toml`: every section optional, every key checked, unknown keys refused. */
export const ConfigSchema = v.strictObject({
  database: v.optional(
    v.strictObject({
      /** SQLite file; relative paths are taken from the data dir. */
      path: v.optional(v.string()),
      /** Reserved for a PostgreSQL server shared by several machines. */
      url: v.optional(v.string()),
    }),
  ),
  tools: v.optional(
    v.strictObject({
      ffmpeg: v.optional(v.string()),
      ffprobe: v.optional(v.string()),
      /** Longest a single ffprobe call may take. */
      probe_timeout_seconds: v.optional(timerSeconds),
    }),
  ),
  logging: v.optional(
    v.strictObject({
      level: v.optional(v.picklist(LOG_LEVELS)),
      /** Log file; relative paths are taken from the data dir (from `--log-file`: from the working dir). */
      file: v.optional(v.string()),
      json: v.optional(v.boolean()),
      /** The log file is rotated when it would grow past this size. */
      max_bytes: v.optional(positiveInt),
      /** Rotated files kept beside the log file (`vpo.log.1` … `vpo.log.N`); 0 keeps none. */
      backup_count: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
      /** Records at this level and above are also kept in the database (`vpo logs`); "off" keeps none. */
      store_level: v.optional(v.picklist([...LOG_LEVELS, "off"], `expected one of ${[...LOG_LEVELS, "off"].join(", ")}`)),
    }),
  ),
  jobs: v.optional(v.strictObject({ retention_days: v.optional(days) })),
  server: v.optional(
    v.strictObject({
      host: v.optional(v.string()),
      port: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535))),
      token: v.optional(v.string()),
      cors_origins: v.optional(v.array(v.string())),
      body_limit_bytes: v.optional(positiveInt),
      /** The dashboard's address as people reach it: links in notifications point there. */
      public_url: v.optional(v.pipe(v.string(), v.regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, "expected an http:// or https:// URL"))),
    }),
  ),
  plugins: v.optional(
    v.strictObject({
      /** Module specifiers (file paths or package names) of third-party plugins. */
      load: v.optional(v.array(v.string())),
      /** Time budget of one hook call. */
      hook_timeout_ms: v.optional(timerMs),
      /** Options per plugin name, e.g. `[plugins.options.hash] full = true`. */
      options: v.optional(v.record(v.string(), v.record(v.string(), v.unknown()))),
    }),
  ),
  processing: v.optional(
    v.strictObject({
      workers: v.optional(positiveInt),
      keep_backup: v.optional(v.boolean()),
      temp_dir: v.optional(v.string()),
    }),
  ),
  /**
   * How long records are kept (days; unset = for ever). Runs and their details go, the daily
   * totals stay: summaries, policies and trends over an expired period do not change.
   */
  retention: v.optional(
    v.strictObject({
      /** Runs (with their actions, phases, metrics) older than this are deleted; their totals are kept. */
      runs_days: v.optional(days),
      /** Actions, phases and plugin metrics of runs older than this are deleted sooner than the runs. */
      details_days: v.optional(days),
      /** Logs kept by the log store (default 90). */
      logs_days: v.optional(days),
      /** Stored reports (default 365). */
      reports_days: v.optional(days),
    }),
  ),
  /** Reports `vpo serve` makes on a schedule (`[[reports.schedule]]`). */
  reports: v.optional(
    v.strictObject({
      schedule: v.optional(
        v.pipe(
          v.array(
            v.strictObject({
              /** Names the schedule: one report per (name, period) is made, however many servers run. */
              name: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, "expected a name of letters, digits, _ and -")),
              /** When to make it: a cron expression (5 fields, or 6 with seconds), evaluated in `timezone` (default UTC). */
              cron: v.pipe(v.string(), v.check((c) => cronError(c) === null, (issue) => `invalid cron expression: ${cronError(String(issue.input))}`)),
              /** The period covered: the last complete day, ISO week or month. */
              period: v.picklist(["day", "week", "month"]),
              format: v.optional(v.picklist(["pdf", "html", "md", "json"])),
              /** Where it goes: "file:/dir" writes into a folder; other names are alert channels. */
              channels: v.optional(v.array(v.pipe(v.string(), v.minLength(1)))),
              timezone: v.optional(v.string()),
            }),
          ),
          v.check((list) => new Set(list.map((s) => s.name)).size === list.length, "expected each schedule to have its own name"),
        ),
      ),
    }),
  ),
  /** The job queue of `vpo enqueue` / `vpo worker` (PostgreSQL). Timings in seconds. */
  queue: v.optional(
    v.strictObject({
      /** A worker's lease on a job: renewed every half of it; a job whose lease lapsed goes to another worker. pg-boss needs at least 10. */
      heartbeat_seconds: v.optional(v.pipe(timerSeconds, v.minValue(10))),
      /** How often workers look for lapsed leases and refresh the queue's counts. */
      check_interval_seconds: v.optional(timerSeconds),
      /** Retries of a job that failed (then it stays failed, for `vpo queue retry`). */
      retry_limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
      retry_delay_seconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_TIMER_SECONDS, `expected at most ${MAX_TIMER_SECONDS} seconds (24 days)`))),
      /** On SIGTERM a worker finishes its current files for at most this long, then stops them (they go back to the queue). */
      stop_timeout_seconds: v.optional(timerSeconds),
    }),
  ),
  /** This machine: its name in every run it records (default: the host name). */
  node: v.optional(v.strictObject({ name: v.optional(v.pipe(v.string(), v.regex(/^[^\0]{1,128}$/, "expected 1–128 characters"))) })),
  /**
   * Library roots on this machine by name (`movies = "/mnt/nas/movies"`): each machine may mount
   * the share elsewhere, so runs and jobs name files as library + path inside it.
   */
  libraries: v.optional(
    v.record(
      v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, "expected a library name of letters, digits, _ and -")),
      v.pipe(v.string(), v.check((p) => p.startsWith("/") || homeRelative(p), "expected an absolute path (or one in your home folder, ~/…)")),
    ),
  ),
  /** Notification channels by name (`[channels.ops] type = "webhook"`), used by alert rules and reports. */
  channels: v.optional(ChannelsSchema),
  /** Alert rules (`[[alerts.rules]]`) and how often they are evaluated. */
  alerts: v.optional(AlertsSchema),
});

export type Config = v.InferOutput<typeof ConfigSchema>;
export type ConfigSection = keyof Config;

/** A profile: a partial config plus what it is for and the policy it suggests. */
export const ProfileSchema = v.strictObject({
  ...ConfigSchema.entries,
  description: v.optional(v.string()),
  default_policy: v.optional(v.string()),
});
export type Profile = v.InferOutput<typeof ProfileSchema>;

/** Profile names double as file names: keep them to a safe alphabet. */
export const PROFILE_NAME = /^[A-Za-z0-9_-]+$/;

type Unwrappable = { type: string; wrapped?: Unwrappable; entries?: Record<string, Unwrappable> };

/** The keys of a config section and the base valibot type of each (`number`, `boolean`, `array`, …). */
export function sectionKeys(section: ConfigSection): Record<string, string> {
  let node = ConfigSchema.entries[section] as unknown as Unwrappable;
  while (node.wrapped) node = node.wrapped;
  const out: Record<string, string> = {};
  for (const [key, schema] of Object.entries(node.entries ?? {})) {
    let inner = schema;
    while (inner.wrapped) inner = inner.wrapped;
    out[key] = inner.type;
  }
  return out;
}

export const CONFIG_SECTIONS = Object.keys(ConfigSchema.entries) as ConfigSection[];

/** Why croner refuses a cron expression, or null when it is valid. */
function cronError(expression: string): string | null {
  try {
    // Required here: only a config with schedules loads croner.
    const { Cron: CronJob } = require("croner") as { Cron: typeof Cron };
    new CronJob(expression, { paused: true, timezone: "UTC" }).stop();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}
