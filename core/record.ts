import * as v from "valibot";
import type { ProcessingStatsTable } from "./db/schema.ts";
import { VpoError } from "./errors.ts";
import { parseOrThrow } from "./validation.ts";

const count = v.nullish(v.pipe(v.number(), v.integer(), v.minValue(0)));
const bytes = v.nullish(v.pipe(v.number(), v.integer(), v.minValue(0)));
const text = v.nullish(v.string());
const hash = v.nullish(v.pipe(v.string(), v.regex(/^sha256:[0-9a-f]{64}$/, 'Expected "sha256:<64 hex digits>"')));
const isoDate = v.pipe(
  v.string(),
  v.check((s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)), "Expected an ISO-8601 datetime"),
);

/** A metric value a plugin may store: numbers land in `num`, everything else in `text`. */
export const MetricValueSchema = v.union([v.number(), v.string(), v.boolean(), v.null()]);
export type MetricValue = v.InferOutput<typeof MetricValueSchema>;

export const ActionResultSchema = v.strictObject({
  action_type: v.pipe(v.string(), v.minLength(1)),
  track_type: text,
  track_index: v.nullish(v.pipe(v.number(), v.integer())),
  before_state: v.nullish(v.unknown()),
  after_state: v.nullish(v.unknown()),
  success: v.optional(v.boolean(), true),
  duration_ms: v.nullish(v.pipe(v.number(), v.minValue(0))),
  rule_reference: text,
  message: text,
});

export const PhaseResultSchema = v.strictObject({
  phase_name: v.pipe(v.string(), v.minLength(1)),
  wall_time_seconds: v.nullish(v.pipe(v.number(), v.minValue(0))),
  bytes_read: bytes,
  bytes_written: bytes,
  encoding_fps: v.nullish(v.pipe(v.number(), v.minValue(0))),
  encoding_bitrate: v.nullish(v.pipe(v.number(), v.minValue(0))),
});

export const PluginErrorSchema = v.strictObject({
  plugin: v.string(),
  hook: v.string(),
  code: v.string(),
  message: v.string(),
});

/**
 * One processing run as reported: the import/export line format, the body of
 * `POST /api/stats/runs`, and what the capture runner assembles. Derived fields
 * (size_change, *_removed) may be omitted; when given they must agree.
 */
export const RunRecordSchema = v.strictObject({
  id: v.optional(v.pipe(v.string(), v.uuid())),
  file_path: v.pipe(v.string(), v.minLength(1)),
  processed_at: isoDate,
  policy_name: v.pipe(v.string(), v.minLength(1)),
  job_id: text,
  status: v.optional(v.picklist(["success", "failed", "interrupted"])),
  success: v.boolean(),
  error_message: text,
  size_before: bytes,
  size_after: bytes,
  size_change: v.nullish(v.pipe(v.number(), v.integer())),
  audio_tracks_before: count,
  audio_tracks_after: count,
  audio_tracks_removed: count,
  subtitle_tracks_before: count,
  subtitle_tracks_after: count,
  subtitle_tracks_removed: count,
  attachments_before: count,
  attachments_after: count,
  attachments_removed: count,
  duration_seconds: v.nullish(v.pipe(v.number(), v.minValue(0))),
  phases_completed: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  phases_total: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  total_changes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  video_source_codec: text,
  video_target_codec: text,
  video_transcode_skipped: v.nullish(v.boolean()),
  video_skip_reason: text,
  audio_tracks_transcoded: count,
  audio_tracks_preserved: count,
  encoder_type: v.nullish(v.picklist(["hardware", "software"])),
  hash_before: hash,
  hash_after: hash,
  actions: v.optional(v.array(ActionResultSchema), []),
  phases: v.optional(v.array(PhaseResultSchema), []),
  plugin_metrics: v.optional(v.record(v.string(), v.record(v.string(), MetricValueSchema)), {}),
  plugin_errors: v.optional(v.array(PluginErrorSchema), []),
});

export type RunRecordInput = v.InferInput<typeof RunRecordSchema>;
export type ActionResult = v.InferOutput<typeof ActionResultSchema>;
export type PhaseResult = v.InferOutput<typeof PhaseResultSchema>;
export type PluginError = v.InferOutput<typeof PluginErrorSchema>;

/** Run-level facts a plugin may contribute by returning them from `afterRun`. */
export const RUN_FACT_KEYS = [
  "size_before", "size_after",
  "audio_tracks_before", "audio_tracks_after",
  "subtitle_tracks_before", "subtitle_tracks_after",
  "attachments_before", "attachments_after",
  "duration_seconds",
  "video_source_codec", "video_target_codec", "video_transcode_skipped", "video_skip_reason",
  "audio_tracks_transcoded", "audio_tracks_preserved", "encoder_type",
  "hash_before", "hash_after",
] as const;
export type RunFactKey = (typeof RUN_FACT_KEYS)[number];

/** A run with every field present and every invariant holding: what the repository stores. */
export interface RunRecord extends Omit<ProcessingStatsTable, "file_id" | "success" | "video_transcode_skipped"> {
  success: boolean;
  video_transcode_skipped: boolean | null;
  actions: ActionResult[];
  phases: PhaseResult[];
  plugin_metrics: Record<string, Record<string, MetricValue>>;
  plugin_errors: PluginError[];
}

function removed(before: number | null, after: number | null, given: number | null | undefined, field: string) {
  const derived = before == null || after == null ? null : Math.max(0, before - after);
  if (given != null && derived != null && given !== derived) {
    throw new VpoError("INVALID_RECORD", `Invalid run record: ${field} is ${given} but max(0, before − after) is ${derived}`);
  }
  return derived ?? given ?? null;
}

/**
 * Validates a reported run and derives what follows from it, enforcing the invariants:
 * size_change = before − after, *_removed = max(0, before − after), phases_completed ≤ phases_total,
 * processed_at in UTC ISO-8601.
 *
 * @example normalizeRunRecord({ file_path: "/m/a.mkv", processed_at: "2026-01-02T03:04:05+01:00", policy_name: "strip", success: true })
 */
export function normalizeRunRecord(input: unknown, context = "Invalid run record"): RunRecord {
  const r = parseOrThrow(RunRecordSchema, input, context, "INVALID_RECORD");
  const sizeChange = r.size_before == null || r.size_after == null ? null : r.size_before - r.size_after;
  if (r.size_change != null && sizeChange != null && r.size_change !== sizeChange) {
    throw new VpoError("INVALID_RECORD", `${context}: size_change is ${r.size_change} but size_before − size_after is ${sizeChange}`);
  }
  const phasesTotal = r.phases_total ?? r.phases.length;
  const phasesCompleted = r.phases_completed ?? (r.success ? phasesTotal : 0);
  if (phasesCompleted > phasesTotal) {
    throw new VpoError("INVALID_RECORD", `${context}: phases_completed (${phasesCompleted}) exceeds phases_total (${phasesTotal})`);
  }
  const status = r.status ?? (r.success ? "success" : "failed");
  if ((status === "success") !== r.success) {
    throw new VpoError("INVALID_RECORD", `${context}: status "${status}" contradicts success=${r.success}`);
  }
  return {
    // Lowercase so id prefixes match however the reporting tool spelled the UUID.
    id: (r.id ?? Bun.randomUUIDv7()).toLowerCase(),
    file_path: r.file_path,
    processed_at: new Date(r.processed_at).toISOString(),
    policy_name: r.policy_name,
    job_id: r.job_id ?? null,
    status,
    success: r.success,
    error_message: r.error_message ?? null,
    size_before: r.size_before ?? null,
    size_after: r.size_after ?? null,
    size_change: sizeChange ?? r.size_change ?? null,
    audio_tracks_before: r.audio_tracks_before ?? null,
    audio_tracks_after: r.audio_tracks_after ?? null,
    audio_tracks_removed: removed(r.audio_tracks_before ?? null, r.audio_tracks_after ?? null, r.audio_tracks_removed, "audio_tracks_removed"),
    subtitle_tracks_before: r.subtitle_tracks_before ?? null,
    subtitle_tracks_after: r.subtitle_tracks_after ?? null,
    subtitle_tracks_removed: removed(r.subtitle_tracks_before ?? null, r.subtitle_tracks_after ?? null, r.subtitle_tracks_removed, "subtitle_tracks_removed"),
    attachments_before: r.attachments_before ?? null,
    attachments_after: r.attachments_after ?? null,
    attachments_removed: removed(r.attachments_before ?? null, r.attachments_after ?? null, r.attachments_removed, "attachments_removed"),
    duration_seconds: r.duration_seconds ?? null,
    phases_completed: phasesCompleted,
    phases_total: phasesTotal,
    // Keeping a track or skipping a transcode leaves the file as it was: not a change.
    total_changes: r.total_changes ?? r.actions.filter((a) => a.action_type !== "keep" && !a.action_type.startsWith("skip")).length,
    video_source_codec: r.video_source_codec ?? null,
    video_target_codec: r.video_target_codec ?? null,
    video_transcode_skipped: r.video_transcode_skipped ?? null,
    video_skip_reason: r.video_skip_reason ?? null,
    audio_tracks_transcoded: r.audio_tracks_transcoded ?? null,
    audio_tracks_preserved: r.audio_tracks_preserved ?? null,
    encoder_type: r.encoder_type ?? null,
    hash_before: r.hash_before ?? null,
    hash_after: r.hash_after ?? null,
    actions: r.actions,
    phases: r.phases,
    plugin_metrics: r.plugin_metrics,
    plugin_errors: r.plugin_errors,
  };
}
