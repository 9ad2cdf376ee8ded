import * as v from "valibot";
import {
  ENCODER_TYPES, type FieldKind, MAX_BYTES, MAX_METRIC, MAX_SECONDS, MAX_TEXT, MAX_TRACKS, RUN_FIELD_NAMES, RUN_FIELDS, RUN_LIMITS,
  RUN_STATUSES, type RunFieldName,
} from "./fields.ts";

/*
 * The validation schemas of a reported run, derived from RUN_FIELDS. Every number is bounded
 * (finite, non-negative where it must be, at most a stated maximum) and every text is bounded
 * and free of NUL characters, so whatever passes here can be stored, summed and shown by every
 * view without overflow or error.
 */

const noNul = v.check((s: string) => !s.includes("\0"), "Expected text without NUL characters");
const text = (max = MAX_TEXT) => v.pipe(v.string(), v.maxLength(max, `Expected at most ${max} characters`), noNul);
const finite = v.check((n: number) => Number.isFinite(n), "Expected a finite number");
const wholeIn = (min: number, max: number, unit: string) =>
  v.pipe(v.number(), v.integer(), v.minValue(min, `Expected at least ${min}`), v.maxValue(max, `Expected at most ${max}${unit}`));
const amountUpTo = (max: number, unit: string) => v.pipe(v.number(), finite, v.minValue(0, "Expected a non-negative number"), v.maxValue(max, `Expected at most ${max}${unit}`));
const isoDate = v.pipe(
  v.string(),
  v.check((s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)), "Expected an ISO-8601 datetime"),
  // Years past 9999 cannot be written back as ISO-8601 text that sorts correctly, and the views'
  // calendar arithmetic (Date.UTC) reads the years 0–99 as 1900–1999. (Date.UTC(1, 0, 1), which
  // stood here, is 1901-01-01 for that reason: the bound was 1901 while the message said 0001.)
  v.check((s) => { const t = Date.parse(s); return t >= Date.UTC(1901, 0, 1) && t < Date.UTC(10000, 0, 1); }, "Expected a year between 1901 and 9999"),
);

const bytes = wholeIn(0, MAX_BYTES, ` (${MAX_BYTES} bytes = 1 PiB)`);
const tracks = wholeIn(0, MAX_TRACKS, "");

const KIND_SCHEMAS: Record<FieldKind, v.GenericSchema> = {
  uuid: v.pipe(v.string(), v.uuid()),
  text: text(),
  instant: isoDate,
  bytes,
  bytesChange: wholeIn(-MAX_BYTES, MAX_BYTES, " in magnitude"),
  tracks,
  seconds: amountUpTo(MAX_SECONDS, " seconds"),
  flag: v.boolean(),
  hash: v.pipe(v.string(), v.regex(/^sha256:[0-9a-f]{64}$/, 'Expected "sha256:<64 hex digits>"')),
  status: v.picklist(RUN_STATUSES),
  encoder: v.picklist(ENCODER_TYPES),
};

/** The validation of one run-level field as reported (optional and nullable unless required). */
export function fieldSchema(name: RunFieldName): v.GenericSchema {
  const def = RUN_FIELDS[name];
  const base = KIND_SCHEMAS[def.kind];
  if (!("required" in def)) return v.nullish(base);
  return def.kind === "text" ? v.pipe(base as v.GenericSchema<string>, v.minLength(1, "Expected a non-empty string")) : base;
}

/** What each kind is as views return it (already checked on the way in). */
const OUTPUT_KIND_SCHEMAS: Record<FieldKind, v.GenericSchema> = {
  uuid: v.string(),
  text: v.string(),
  instant: v.pipe(v.string(), v.description("UTC ISO-8601 datetime")),
  bytes: v.pipe(v.number(), v.integer(), v.minValue(0)),
  bytesChange: v.pipe(v.number(), v.integer()),
  tracks: v.pipe(v.number(), v.integer(), v.minValue(0)),
  seconds: v.pipe(v.number(), v.minValue(0)),
  flag: v.boolean(),
  hash: v.pipe(v.string(), v.regex(/^sha256:[0-9a-f]{64}$/)),
  status: v.picklist(RUN_STATUSES),
  encoder: v.picklist(ENCODER_TYPES),
};

/** The run-level fields as views return them: present, null where unknown. */
export const RunFieldsOutputSchema = v.object(
  Object.fromEntries(
    RUN_FIELD_NAMES.map((name) => {
      const def = RUN_FIELDS[name];
      const base = OUTPUT_KIND_SCHEMAS[def.kind];
      return [name, "required" in def || "notNull" in def ? base : v.nullable(base)];
    }),
  ) as Record<RunFieldName, v.GenericSchema>,
);

/** A metric value a plugin may store: numbers land in `num`, everything else in `text`. */
export const MetricValueSchema = v.union([
  v.pipe(v.number(), finite, v.minValue(-MAX_METRIC), v.maxValue(MAX_METRIC, `Expected a magnitude of at most ${MAX_METRIC}`)),
  text(),
  v.boolean(),
  v.null(),
]);
export type MetricValue = v.InferOutput<typeof MetricValueSchema>;
/** A plugin metric's key (flattened: `a.b.c`). */
export const MetricKeySchema = text(256);

const jsonState = v.nullish(
  v.pipe(
    v.unknown(),
    v.check((s) => s === undefined || JSON.stringify(s).length <= RUN_LIMITS.stateChars, `Expected at most ${RUN_LIMITS.stateChars} characters of JSON`),
  ),
);

export const ActionResultSchema = v.strictObject({
  action_type: v.pipe(text(64), v.minLength(1)),
  track_type: v.nullish(text(64)),
  track_index: v.nullish(wholeIn(0, MAX_TRACKS, "")),
  before_state: jsonState,
  after_state: jsonState,
  success: v.optional(v.boolean(), true),
  duration_ms: v.nullish(amountUpTo(MAX_SECONDS * 1000, " ms")),
  rule_reference: v.nullish(text(1024)),
  message: v.nullish(text()),
});

export const PhaseResultSchema = v.strictObject({
  phase_name: v.pipe(text(256), v.minLength(1)),
  wall_time_seconds: v.nullish(amountUpTo(MAX_SECONDS, " seconds")),
  bytes_read: v.nullish(bytes),
  bytes_written: v.nullish(bytes),
  encoding_fps: v.nullish(amountUpTo(1_000_000, " frames/s")),
  encoding_bitrate: v.nullish(amountUpTo(1e12, " bits/s")),
});

export const PluginErrorSchema = v.strictObject({
  plugin: text(256),
  hook: text(64),
  code: text(64),
  message: text(),
});

const countMetrics = (m: Record<string, Record<string, unknown>>) => Object.values(m).reduce((n, keys) => n + Object.keys(keys).length, 0);

const CHILDREN = {
  actions: v.optional(v.pipe(v.array(ActionResultSchema), v.maxLength(RUN_LIMITS.actions, `Expected at most ${RUN_LIMITS.actions} actions`)), []),
  phases: v.optional(v.pipe(v.array(PhaseResultSchema), v.maxLength(RUN_LIMITS.phases, `Expected at most ${RUN_LIMITS.phases} phases`)), []),
  plugin_metrics: v.optional(
    v.pipe(
      v.record(text(256), v.record(MetricKeySchema, MetricValueSchema)),
      v.check((m) => countMetrics(m) <= RUN_LIMITS.metrics, `Expected at most ${RUN_LIMITS.metrics} plugin metrics in all`),
    ),
    {},
  ),
  plugin_errors: v.optional(
    v.pipe(v.array(PluginErrorSchema), v.maxLength(RUN_LIMITS.pluginErrors, `Expected at most ${RUN_LIMITS.pluginErrors} plugin errors`)),
    [],
  ),
};

/**
 * One processing run as reported: the import/export line format, the body of
 * `POST /api/stats/runs`, and what the capture runner assembles. Derived fields
 * (size_change, *_removed, status, phase counts) may be omitted; when given they must agree.
 */
export const RunRecordSchema = v.strictObject({
  ...(Object.fromEntries(RUN_FIELD_NAMES.map((name) => [name, fieldSchema(name)])) as Record<RunFieldName, v.GenericSchema>),
  ...CHILDREN,
});

export type ActionResult = v.InferOutput<typeof ActionResultSchema>;
export type PhaseResult = v.InferOutput<typeof PhaseResultSchema>;
export type PluginError = v.InferOutput<typeof PluginErrorSchema>;
