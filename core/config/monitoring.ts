/**
 * The monitoring part of config.toml: notification channels (`[channels.<name>]`), alert rules
 * (`[[alerts.rules]]`) and the units they are written in. Every key is checked like the rest of the
 * config; keys that belong to another channel type or rule kind are refused, naming the kind.
 */
import * as v from "valibot";
import { didYouMean } from "../did_you_mean.ts";

const DURATION = /^(\d+(?:\.\d+)?)(s|m|h|d|w)$/;
const DURATION_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
const SIZE = /^(\d+(?:\.\d+)?)\s*(%|B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/;
const SIZE_BYTES: Record<string, number> = {
  B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4,
};

/** `30s`, `10m`, `2h`, `7d`, `2w` → seconds. Throws on anything else (the schema refuses it first). */
export function parseDuration(text: string): number {
  const m = DURATION.exec(text);
  if (!m) throw new Error(`Invalid duration "${text}": expected a number and s, m, h, d or w (e.g. 10m)`);
  return Number(m[1]) * DURATION_SECONDS[m[2]!]!;
}

/** `50GiB`, `500 MB` → { bytes }; `10%` → { percent }. */
export function parseFreeSpace(text: string): { bytes: number } | { percent: number } {
  const m = SIZE.exec(text.trim());
  if (!m) throw new Error(`Invalid size "${text}": expected e.g. 50GiB, 500MB or 10%`);
  return m[2] === "%" ? { percent: Number(m[1]) } : { bytes: Number(m[1]) * SIZE_BYTES[m[2]!]! };
}

/** Formats seconds the way durations are written in the config (`90m` → `1h 30m`). */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [unit, size] of [["d", 86_400], ["h", 3600], ["m", 60]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.slice(0, 2).join(" ");
}

const text = v.pipe(v.string(), v.minLength(1, "expected a non-empty string"));
/** The longest duration a setting or a silence takes (10 years): past it, windows and deadlines leave the calendar. */
export const MAX_DURATION_SECONDS = 3650 * 86_400;
const duration = v.pipe(
  v.string(),
  v.regex(DURATION, "expected a duration such as 30s, 10m, 2h or 7d"),
  v.check((s) => !DURATION.test(s) || parseDuration(s) <= MAX_DURATION_SECONDS, "expected a duration of at most 3650d (10 years)"),
);
/** A window, an interval or a deadline: 0s would evaluate nothing, or evaluate without pause. */
const span = v.pipe(duration, v.check((s) => !DURATION.test(s) || parseDuration(s) > 0, "expected a duration longer than 0s"));
/**
 * The longest a timer of vpo waits (24 days): timers take at most 2^31−1 ms (24.8 days), and a
 * longer wait fires at once — an evaluation without pause, every ffprobe "timed out".
 */
export const MAX_TIMER_SECONDS = 24 * 86_400;
/** A span a timer waits for. */
const timerSpan = v.pipe(span, v.check((s) => !DURATION.test(s) || parseDuration(s) <= MAX_TIMER_SECONDS, "expected a duration of at most 24d (a timer cannot wait longer)"));
const percent = v.pipe(v.number(), v.minValue(0, "expected a percentage from 0 to 100"), v.maxValue(100, "expected a percentage from 0 to 100"));
const count = v.pipe(v.number(), v.integer(), v.minValue(1));
/** Days records are kept: past 100 years the horizon leaves the calendar (Invalid Date at every start). */
export const days = v.pipe(count, v.maxValue(36_500, "expected at most 36500 days (100 years)"));
const oneOrMore = v.union([text, v.array(text)], "expected a name or a list of names");

/** Channel types and the keys each one takes (besides `type`). */
export const CHANNEL_KEYS = {
  webhook: ["url", "preset", "secret", "headers", "timeout", "retries", "backoff"],
  email: ["host", "port", "tls", "username", "password", "ca_file", "from", "to", "timeout", "retries", "backoff"],
  file: ["path", "max_bytes", "backup_count", "retries", "backoff"],
} as const;
export type ChannelType = keyof typeof CHANNEL_KEYS;
const REQUIRED_CHANNEL_KEYS: Record<ChannelType, string[]> = { webhook: ["url"], email: ["host", "from", "to"], file: ["path"] };

/** Webhook bodies: vpo's own JSON (documented in the README) or a service's format. */
export const WEBHOOK_PRESETS = ["json", "discord", "slack", "apprise"] as const;

/** Where a rule kind's extra keys are checked: keys it needs, keys it may take. */
export const RULE_KINDS = {
  run_failed: { required: [], optional: [] },
  failure_rate: { required: ["threshold"], optional: ["window", "min_runs"] },
  savings_low: { required: ["threshold"], optional: ["window", "min_runs"] },
  phase_slow: { required: ["metric", "threshold"], optional: ["phase", "window", "baseline", "min_runs"] },
  disk_space: { required: ["min_free"], optional: [] },
  queue_stalled: { required: [], optional: ["quiet_for"] },
  node_silent: { required: [], optional: ["silent_for"] },
} as const satisfies Record<string, { required: string[]; optional: string[] }>;
export type RuleKind = keyof typeof RULE_KINDS;
export const RULE_KIND_NAMES = Object.keys(RULE_KINDS) as RuleKind[];
const KIND_KEYS = new Set(Object.values(RULE_KINDS).flatMap((k) => [...k.required, ...k.optional]));

export const SEVERITIES = ["info", "warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];
export const LABELS = ["policy", "library", "node"] as const;
export type LabelName = (typeof LABELS)[number];

type Issue = (info: { message: string; path: [v.IssuePathItem] }) => void;
const at = (input: Record<string, unknown>, key: string): [v.IssuePathItem] => [
  { type: "object", origin: "value", input, key, value: input[key] } as v.IssuePathItem,
];

/** Keys set that the type (or kind) does not take, and required ones that are missing. */
function checkKinds(input: Record<string, unknown>, what: string, allowed: readonly string[], required: readonly string[], shared: Set<string>, addIssue: Issue) {
  for (const key of Object.keys(input)) {
    if (shared.has(key) && !allowed.includes(key) && input[key] !== undefined) {
      addIssue({ message: `"${key}" does not apply to ${what}${allowed.length ? ` (it takes ${allowed.join(", ")})` : ""}`, path: at(input, key) });
    }
  }
  for (const key of required) if (input[key] === undefined) addIssue({ message: `${what} needs "${key}"`, path: at(input, key) });
}

const CHANNEL_SPECIFIC = new Set(Object.values(CHANNEL_KEYS).flat());

/** `[channels.<name>]`: one way to send a notification. */
export const ChannelSchema = v.pipe(
  v.strictObject({
    type: v.picklist(Object.keys(CHANNEL_KEYS) as ChannelType[], `expected one of ${Object.keys(CHANNEL_KEYS).join(", ")}`),
    url: v.optional(v.pipe(v.string(), v.regex(/^https?:\/\/\S+$/, "expected an http:// or https:// URL"))),
    preset: v.optional(v.picklist(WEBHOOK_PRESETS, `expected one of ${WEBHOOK_PRESETS.join(", ")}`)),
    /** Signs the body: `X-Vpo-Signature: sha256=<hex HMAC-SHA256 of the body>`. */
    secret: v.optional(text),
    headers: v.optional(v.record(v.string(), v.string())),
    host: v.optional(text),
    port: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535))),
    /** `starttls` (upgrade, required), `tls` (TLS from the start, port 465) or `none`. */
    tls: v.optional(v.picklist(["starttls", "tls", "none"], "expected starttls, tls or none")),
    username: v.optional(text),
    password: v.optional(v.string()),
    /** PEM file of the certificate authority the SMTP server's certificate is checked against (else the system's). */
    ca_file: v.optional(text),
    from: v.optional(text),
    to: v.optional(oneOrMore),
    path: v.optional(text),
    max_bytes: v.optional(count),
    backup_count: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
    /** Longest one attempt may take. */
    timeout: v.optional(timerSpan),
    /** Attempts after the first one failed. */
    retries: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(20))),
    /** Wait before the first retry; each further retry waits twice as long. */
    backoff: v.optional(duration),
  }),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const input = dataset.value as Record<string, unknown>;
    const type = input.type as ChannelType;
    checkKinds(input, `${type === "email" ? "an" : "a"} ${type} channel`, CHANNEL_KEYS[type], REQUIRED_CHANNEL_KEYS[type], CHANNEL_SPECIFIC, addIssue as Issue);
  }),
);
export type ChannelConfig = v.InferOutput<typeof ChannelSchema>;

/** One `[[alerts.rules]]` entry. */
export const RuleSchema = v.pipe(
  v.strictObject({
    name: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.-]{1,64}$/, "expected a name of letters, digits, _, . and - (at most 64)")),
    kind: v.picklist(RULE_KIND_NAMES, `expected one of ${RULE_KIND_NAMES.join(", ")}`),
    /** Channels (`[channels.<name>]`) the notifications go to; none: history and the event stream only. */
    channels: v.optional(v.array(text)),
    severity: v.optional(v.picklist(SEVERITIES, `expected one of ${SEVERITIES.join(", ")}`)),
    /** How long the condition must hold before the alert fires (default 0s). */
    for: v.optional(duration),
    /** Repeat interval while it fires: no notification for it more often than this (default 1h). */
    cooldown: v.optional(duration),
    /** Send a "resolved" notification when the condition clears (default true). */
    send_resolved: v.optional(v.boolean()),
    policy: v.optional(oneOrMore),
    library: v.optional(oneOrMore),
    node: v.optional(oneOrMore),
    /** A separate alert per value of these labels (default: one alert for the whole rule). */
    group_by: v.optional(v.array(v.picklist(LABELS, `expected ${LABELS.join(", ")}`))),
    /** Message templates: `{file}`, `{policy}`, `{error}`, `{node}`, `{value}`, `{link}`, … */
    title: v.optional(text),
    text: v.optional(text),
    threshold: v.optional(percent),
    window: v.optional(span),
    min_runs: v.optional(count),
    metric: v.optional(v.picklist(["wall_time_per_gb", "encoding_fps"], "expected wall_time_per_gb or encoding_fps")),
    phase: v.optional(text),
    baseline: v.optional(span),
    min_free: v.optional(v.pipe(v.string(), v.regex(SIZE, "expected a size such as 50GiB or 500MB, or a percentage such as 10%"))),
    quiet_for: v.optional(span),
    silent_for: v.optional(span),
  }),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const input = dataset.value as Record<string, unknown>;
    const kind = RULE_KINDS[input.kind as RuleKind];
    checkKinds(input, `kind "${input.kind}"`, [...kind.required, ...kind.optional], kind.required, KIND_KEYS, addIssue as Issue);
  }),
);
export type RuleConfig = v.InferOutput<typeof RuleSchema>;

/** `[alerts]`: the rules and how they are kept. */
export const AlertsSchema = v.strictObject({
  /** How often every rule is evaluated (runs recorded are evaluated at once as well). */
  evaluate_every: v.optional(timerSpan),
  /** Fired and resolved alerts and their deliveries are kept this long. */
  history_days: v.optional(days),
  rules: v.optional(
    v.pipe(
      v.array(RuleSchema),
      v.rawCheck(({ dataset, addIssue }) => {
        if (!dataset.typed) return;
        const seen = new Set<string>();
        dataset.value.forEach((rule, i) => {
          if (seen.has(rule.name)) {
            addIssue({
              message: `duplicate rule name "${rule.name}": each rule needs its own name`,
              path: [{ type: "array", origin: "value", input: dataset.value, key: i, value: rule } as v.IssuePathItem],
            });
          }
          seen.add(rule.name);
        });
      }),
    ),
  ),
});
export type AlertsConfig = v.InferOutput<typeof AlertsSchema>;

/** `[channels.<name>]`: names as rules and reports refer to them. */
export const ChannelsSchema = v.record(
  v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, "expected a channel name of letters, digits, _ and -")),
  ChannelSchema,
);

/**
 * Problems that need the merged config (a rule in config.toml may name a channel a profile
 * defines): every channel a rule or a report schedule names must exist. One line each, like the schema's.
 */
export function checkMonitoringReferences(config: {
  alerts?: AlertsConfig;
  channels?: Record<string, ChannelConfig>;
  reports?: { schedule?: { channels?: string[] }[] };
}): string[] {
  const names = Object.keys(config.channels ?? {});
  const problems: string[] = [];
  const check = (key: string, channels: readonly string[] | undefined, also = "") => {
    for (const channel of channels ?? []) {
      if (also && channel.startsWith("file:")) continue;
      if (!names.includes(channel)) problems.push(`${key}: unknown channel "${channel}"${didYouMean(channel, names)}; define it as [channels.${channel}]${also}`);
    }
  };
  (config.alerts?.rules ?? []).forEach((rule, i) => check(`alerts.rules.${i}.channels`, rule.channels));
  // A report may also go to a folder ("file:/dir").
  (config.reports?.schedule ?? []).forEach((schedule, i) => check(`reports.schedule.${i}.channels`, schedule.channels, ` or write "file:/folder"`));
  return problems;
}
