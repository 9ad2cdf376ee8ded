import * as v from "valibot";
import { RUN_STATUSES, RunFieldsOutputSchema, type RunFields } from "../record/mod.ts";

/*
 * The shapes the stats repository reads and returns. Each is a declarative valibot schema
 * (published by the HTTP server in OpenAPI, so no v.transform) and an interface derived from
 * it, so the type and the published contract cannot drift apart.
 */

const int = v.pipe(v.number(), v.integer());
const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const ratio = v.pipe(v.number(), v.minValue(0), v.maxValue(1));
const iso = v.pipe(v.string(), v.description("UTC ISO-8601 datetime"));
const nInt = v.nullable(int);
const nNum = v.nullable(v.number());
const nStr = v.nullable(v.string());
/**
 * An exact byte total. JSON carries it as a plain integer, however large; in JavaScript it is a
 * number up to 2^53 and a bigint beyond (see core/json.ts).
 */
const bytesTotal = v.pipe(v.union([int, v.bigint()]), v.description("Bytes, exact (may exceed 2^53)"));

/** Time window, already parsed by parseTimeRange: `since` inclusive, `until` exclusive. */
export const StatsFilterSchema = v.object({
  since: v.optional(iso),
  until: v.optional(iso),
  policy: v.optional(v.string()),
  library: v.optional(v.string()),
  node: v.optional(v.string()),
});
export interface StatsFilter extends v.InferOutput<typeof StatsFilterSchema> {}

/** Library-wide totals (getSummary). */
export const StatsSummarySchema = v.object({
  total_files_processed: count,
  total_successful: count,
  total_failed: v.pipe(count, v.description("Runs that did not succeed, interrupted ones included")),
  total_interrupted: v.pipe(count, v.description("Runs stopped before they finished (Ctrl-C, a crash)")),
  success_rate: ratio,
  total_size_before: v.pipe(bytesTotal, v.description("Bytes before, over successful runs with both sizes known")),
  total_size_after: v.pipe(bytesTotal, v.description("Bytes after, over the same runs")),
  total_size_saved: v.pipe(bytesTotal, v.description("total_size_before − total_size_after; negative when files grew")),
  avg_savings_percent: v.pipe(v.number(), v.description("total_size_saved / total_size_before × 100 (ratio of sums)")),
  total_audio_removed: count,
  total_subtitles_removed: count,
  total_attachments_removed: count,
  total_videos_transcoded: count,
  total_videos_skipped: count,
  total_audio_transcoded: count,
  avg_processing_time: v.pipe(nNum, v.description("Seconds per run that reported a duration (failed ones included), rounded to milliseconds; null when none did")),
  total_processing_time: v.pipe(v.number(), v.description("Seconds spent over every run, rounded to milliseconds")),
  earliest_processing: v.nullable(iso),
  latest_processing: v.nullable(iso),
  hardware_encodes: count,
  software_encodes: count,
});
export interface StatsSummary extends v.InferOutput<typeof StatsSummarySchema> {}

/** One run as listed in a file's history (getFileHistory). */
export const FileProcessingHistorySchema = v.object({
  stats_id: v.string(),
  processed_at: iso,
  policy_name: v.string(),
  size_before: nInt,
  size_after: nInt,
  size_change: v.pipe(nInt, v.description("size_before − size_after; positive = saved")),
  audio_removed: nInt,
  subtitle_removed: nInt,
  attachments_removed: nInt,
  duration_seconds: nNum,
  success: v.boolean(),
  error_message: nStr,
  encoder_type: v.nullable(v.picklist(["hardware", "software"])),
});
export interface FileProcessingHistory extends v.InferOutput<typeof FileProcessingHistorySchema> {}

/** One run in the recent-runs list (getRecentRuns): history fields plus path, status and video outcome. */
export const RecentRunSchema = v.object({
  ...FileProcessingHistorySchema.entries,
  file_path: v.string(),
  status: v.picklist(["success", "failed", "interrupted"]),
  video_source_codec: nStr,
  video_target_codec: nStr,
  video_transcode_skipped: v.nullable(v.boolean()),
});
export interface RecentRun extends v.InferOutput<typeof RecentRunSchema> {}

/** Options of getRecentRuns: `limit` defaults to 20. */
export const RecentRunsOptionsSchema = v.object({
  limit: v.optional(v.pipe(int, v.minValue(1))),
  policy: v.optional(v.string()),
  library: v.optional(v.string()),
  node: v.optional(v.string()),
});
export interface RecentRunsOptions extends v.InferOutput<typeof RecentRunsOptionsSchema> {}

/** Orders of getPolicyStats, each descending: files processed, bytes saved, average processing time. */
export const PolicySortSchema = v.picklist(["files", "savings", "time"]);
export type PolicySort = v.InferOutput<typeof PolicySortSchema>;

/** Options of getPolicyStats: a time window and a sort (default "files"). */
export const PolicyStatsOptionsSchema = v.object({
  since: v.optional(iso),
  until: v.optional(iso),
  library: v.optional(v.string()),
  node: v.optional(v.string()),
  sort: v.optional(PolicySortSchema),
});
export interface PolicyStatsOptions extends v.InferOutput<typeof PolicyStatsOptionsSchema> {}

/** Totals for one policy (getPolicyStats, getPolicy). */
export const PolicyStatsSchema = v.object({
  policy_name: v.string(),
  files_processed: count,
  success_rate: ratio,
  total_size_saved: bytesTotal,
  avg_savings_percent: v.number(),
  audio_tracks_removed: count,
  subtitle_tracks_removed: count,
  attachments_removed: count,
  videos_transcoded: count,
  audio_transcoded: count,
  avg_processing_time: nNum,
  last_used: v.nullable(iso),
});
export interface PolicyStats extends v.InferOutput<typeof PolicyStatsSchema> {}

/** Options of getFileHistory: the exact recorded path and/or files.id (at least one), and a limit. */
export const FileHistoryOptionsSchema = v.object({
  path: v.optional(v.string()),
  fileId: v.optional(int),
  limit: v.optional(v.pipe(int, v.minValue(1))),
});
export interface FileHistoryOptions extends v.InferOutput<typeof FileHistoryOptionsSchema> {}

/** Trend periods: UTC day, ISO-8601 week (week-year of its Thursday), or month. */
export const TrendGroupBySchema = v.picklist(["day", "week", "month"]);
export type TrendGroupBy = v.InferOutput<typeof TrendGroupBySchema>;

/** Options of getTrends: a StatsFilter plus the period. */
export const TrendsOptionsSchema = v.object({
  ...StatsFilterSchema.entries,
  groupBy: TrendGroupBySchema,
});
export interface TrendsOptions extends v.InferOutput<typeof TrendsOptionsSchema> {}

/** Totals for one period (getTrends); periods without runs are omitted. */
export const TrendPointSchema = v.object({
  period: v.pipe(v.string(), v.description('UTC day "2026-01-31", ISO week "2026-W05" or month "2026-01"')),
  files_processed: count,
  successes: count,
  failures: count,
  size_before: bytesTotal,
  size_after: bytesTotal,
  size_saved: bytesTotal,
});
export interface TrendPoint extends v.InferOutput<typeof TrendPointSchema> {}

/** Options of getMetricAggregates: plugin, key and a time window on the run's processed_at. */
export const MetricFilterSchema = v.object({
  plugin: v.optional(v.string()),
  key: v.optional(v.string()),
  since: v.optional(iso),
  until: v.optional(iso),
  policy: v.optional(v.string()),
  library: v.optional(v.string()),
  node: v.optional(v.string()),
});
export interface MetricFilter extends v.InferOutput<typeof MetricFilterSchema> {}

/** Aggregate of one plugin metric key (getMetricAggregates); number fields are null for text-only keys. */
export const MetricAggregateSchema = v.object({
  plugin: v.string(),
  key: v.string(),
  count: v.pipe(count, v.description("Numeric values; for a key that only ever held text, text values")),
  sum: nNum,
  avg: nNum,
  min: nNum,
  max: nNum,
});
export interface MetricAggregate extends v.InferOutput<typeof MetricAggregateSchema> {}

/** One action of a run, in order, with before/after state parsed from JSON. */
export const RunActionSchema = v.object({
  seq: count,
  action_type: v.string(),
  track_type: nStr,
  track_index: nInt,
  before_state: v.unknown(),
  after_state: v.unknown(),
  success: v.boolean(),
  duration_ms: nNum,
  rule_reference: nStr,
  message: nStr,
});
export interface RunAction extends v.InferOutput<typeof RunActionSchema> {}

/** One phase of a run, in order (performance_metrics). */
export const RunPhaseSchema = v.object({
  seq: count,
  phase_name: v.string(),
  wall_time_seconds: nNum,
  bytes_read: nInt,
  bytes_written: nInt,
  encoding_fps: nNum,
  encoding_bitrate: v.pipe(nNum, v.description("bits/s")),
});
export interface RunPhase extends v.InferOutput<typeof RunPhaseSchema> {}

/** A plugin hook that failed during a run; the run was kept. */
export const RunPluginErrorSchema = v.object({ plugin: v.string(), hook: v.string(), code: v.string(), message: v.string() });
export interface RunPluginError extends v.InferOutput<typeof RunPluginErrorSchema> {}

/** Everything recorded about one run (getRunDetail): every run field (flags as booleans), plus its children. */
export const RunDetailSchema = v.object({
  ...RunFieldsOutputSchema.entries,
  file_id: nInt,
  actions: v.array(RunActionSchema),
  phases: v.array(RunPhaseSchema),
  plugin_metrics: v.pipe(
    v.record(v.string(), v.record(v.string(), v.union([v.number(), v.string(), v.null()]))),
    v.description("{ plugin: { key: value } }; booleans were stored as 1/0"),
  ),
  plugin_errors: v.array(RunPluginErrorSchema),
});
export interface RunDetail extends RunFields {
  file_id: number | null;
  actions: RunAction[];
  phases: RunPhase[];
  plugin_metrics: Record<string, Record<string, number | string | null>>;
  plugin_errors: RunPluginError[];
}

/** One run an ambiguous id prefix matched; AMBIGUOUS_ID errors carry a list of these as `details`. */
export const RunCandidateSchema = v.object({ id: v.string(), processed_at: iso, file_path: v.string() });
export interface RunCandidate extends v.InferOutput<typeof RunCandidateSchema> {}

/** Options of purgeRuns: `before` (exclusive) and/or `policy`, or `all`; `dryRun` only counts. */
export const PurgeOptionsSchema = v.object({
  before: v.optional(iso),
  policy: v.optional(v.string()),
  all: v.optional(v.boolean()),
  dryRun: v.optional(v.boolean()),
});
export interface PurgeOptions extends v.InferOutput<typeof PurgeOptionsSchema> {}

/** Rows a purge removes (or, on a dry run, would remove) from each table. */
export const PurgeCountsSchema = v.object({
  processing_stats: count,
  action_results: count,
  performance_metrics: count,
  plugin_metrics: count,
  plugin_errors: count,
});
export interface PurgeCounts extends v.InferOutput<typeof PurgeCountsSchema> {}

/** What a breakdown groups runs by, besides policy. */
export const BreakdownBySchema = v.picklist(["node", "library"]);
export type BreakdownBy = v.InferOutput<typeof BreakdownBySchema>;

/** Totals of one node or library over a window (getBreakdown). */
export const BreakdownRowSchema = v.object({
  name: v.pipe(nStr, v.description("The node or library; null for runs that named none")),
  files_processed: count,
  successes: count,
  failures: count,
  success_rate: ratio,
  total_size_before: bytesTotal,
  total_size_after: bytesTotal,
  total_size_saved: bytesTotal,
  avg_savings_percent: v.number(),
  audio_tracks_removed: count,
  subtitle_tracks_removed: count,
  attachments_removed: count,
  videos_transcoded: count,
  audio_transcoded: count,
  avg_processing_time: nNum,
  first_used: v.nullable(iso),
  last_used: v.nullable(iso),
});
export interface BreakdownRow extends v.InferOutput<typeof BreakdownRowSchema> {}

/** Run outcomes a run search can ask for. */
export const RunStatusSchema = v.picklist(RUN_STATUSES);
export type RunStatus = v.InferOutput<typeof RunStatusSchema>;

/**
 * Options of searchRuns: the usual filters, a substring of the file path (`q`), an outcome, a page
 * size (default 50, at most 200) and the `cursor` of the previous page.
 */
export const RunSearchOptionsSchema = v.object({
  ...StatsFilterSchema.entries,
  q: v.optional(v.string()),
  status: v.optional(RunStatusSchema),
  limit: v.optional(v.pipe(int, v.minValue(1), v.maxValue(200))),
  cursor: v.optional(v.string()),
});
export interface RunSearchOptions extends v.InferOutput<typeof RunSearchOptionsSchema> {}

/** One run in a search result: a recent-runs row plus where it ran. */
export const RunListItemSchema = v.object({
  ...RecentRunSchema.entries,
  library: v.pipe(nStr, v.description("Library the file belongs to, if the run named one")),
  node: v.pipe(nStr, v.description("Machine that processed the file, if the run named one")),
});
export interface RunListItem extends v.InferOutput<typeof RunListItemSchema> {}

/** One page of a run search (searchRuns), newest first. */
export const RunPageSchema = v.object({
  runs: v.array(RunListItemSchema),
  has_more: v.pipe(v.boolean(), v.description("Whether older runs match too")),
  next_cursor: v.pipe(nStr, v.description("Pass as `cursor` for the next page; null on the last page")),
});
export interface RunPage extends v.InferOutput<typeof RunPageSchema> {}
