import type { Generated } from "kysely";
import type { RunColumns } from "../record/mod.ts";
import type { MonitoringTables } from "./monitoring_schema.ts";

/** Kysely table types. Booleans are stored as 0/1 integers, JSON as text. */
export interface FilesTable {
  id: Generated<number>;
  path: string;
  size_bytes: number | null;
  modified_at: string | null;
  content_hash: string | null;
  container: string | null;
  duration: number | null;
  bitrate: number | null;
  streams: string | null;
  scanned_at: string | null;
  scan_status: "ok" | "missing" | "error";
  scan_error: string | null;
}

export interface JobsTable {
  id: string;
  type: "scan" | "process" | "run" | "import";
  status: "queued" | "running" | "completed" | "failed" | "cancelled" | "interrupted";
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  policy_name: string | null;
  summary: string | null;
  files_total: number | null;
  files_affected: number | null;
  error: string | null;
  /** Where the job runs, so a later start can tell a job whose process died (closed as interrupted). */
  host: string | null;
  pid: number | null;
  node: string | null;
}

/** One row per run: every run field (core/record/fields.ts) plus the local link to `files`. */
export interface ProcessingStatsTable extends RunColumns {
  file_id: number | null;
  /** failureReason(error_message) of a run that did not succeed, null for a successful one: derived, never exported. */
  failure_reason: string | null;
}

export interface ActionResultsTable {
  id: Generated<number>;
  stats_id: string;
  seq: number;
  action_type: string;
  track_type: string | null;
  track_index: number | null;
  before_state: string | null;
  after_state: string | null;
  success: number;
  duration_ms: number | null;
  rule_reference: string | null;
  message: string | null;
}

export interface PerformanceMetricsTable {
  id: Generated<number>;
  stats_id: string;
  seq: number;
  phase_name: string;
  wall_time_seconds: number | null;
  bytes_read: number | null;
  bytes_written: number | null;
  encoding_fps: number | null;
  encoding_bitrate: number | null;
}

/** One row per run with metrics: `metrics` is their JSON (core/repository/_metric_rows.ts). */
export interface PluginMetricsTable {
  stats_id: string;
  metrics: string;
}

export interface PluginErrorsTable {
  id: Generated<number>;
  stats_id: string;
  plugin: string;
  hook: string;
  code: string;
  message: string;
}

/**
 * Sums per (UTC day, policy, library, node), kept in step with processing_stats in the same
 * transaction, so views need not scan every run. Byte sums are split into a high and a low part
 * (value = hi × 2^24 + lo), so no column can overflow 64 bits and totals stay exact; see
 * core/repository/_rollup.ts, where the columns are defined.
 */
export interface StatsRollupTable {
  day: string;
  policy_name: string;
  /** "" when the run names no library (or node). */
  library: string;
  node: string;
  runs: number;
  successes: number;
  failures: number;
  interruptions: number;
  size_before_hi: number;
  size_before_lo: number;
  size_after_hi: number;
  size_after_lo: number;
  audio_removed: number;
  subtitles_removed: number;
  attachments_removed: number;
  videos_transcoded: number;
  videos_skipped: number;
  audio_transcoded: number;
  hardware_encodes: number;
  software_encodes: number;
  duration_sum: number;
  duration_count: number;
  /** Runs whose duration is at most DURATION_BUCKETS[i] seconds (for the Prometheus histogram). */
  duration_le_0: number;
  duration_le_1: number;
  duration_le_2: number;
  duration_le_3: number;
  duration_le_4: number;
  duration_le_5: number;
  duration_le_6: number;
  duration_le_7: number;
  duration_le_8: number;
  duration_le_9: number;
  duration_le_10: number;
  duration_le_11: number;
  first_at: string;
  last_at: string;
}

/** Runs per (day, policy, library, node) and video codec before → after ("" for unknown). */
export interface CodecRollupTable {
  day: string;
  policy_name: string;
  library: string;
  node: string;
  codec_before: string;
  codec_after: string;
  runs: number;
}

/** Plugin metric aggregates per (day, policy, library, node) and (plugin, key). */
/** Phase timings per (day, policy, library, node, phase): the phases view and the nodes' mean encoding speed. */
export interface PhaseRollupTable {
  day: string;
  policy_name: string;
  library: string;
  node: string;
  phase_name: string;
  runs: number;
  total_seconds: number;
  max_seconds: number | null;
  fps_count: number;
  fps_sum: number;
  ok_fps_count: number;
  ok_fps_sum: number;
}

/** Runs that did not succeed per (day, policy, library, node), status and failure reason, and the latest of them. */
export interface FailureRollupTable {
  day: string;
  policy_name: string;
  library: string;
  node: string;
  status: string;
  reason: string;
  runs: number;
  last_at: string;
}

/**
 * The (status, reason, file) that failed more than once — a superset: a row is added when a failed
 * run is stored and another failed run of the same key exists, and is not removed with the runs.
 */
export interface FailureRepeatsTable {
  status: string;
  reason: string;
  file_path: string;
}

export interface MetricRollupTable {
  day: string;
  policy_name: string;
  library: string;
  node: string;
  plugin: string;
  key: string;
  num_count: number;
  text_count: number;
  num_sum: number;
  num_min: number | null;
  num_max: number | null;
}

/** The unscoped twin of a rollup's day or month tier: the same sums without policy, library and node. */
export type Unscoped<T> = Omit<T, "policy_name" | "library" | "node">;

/**
 * The run feed: an ordered, durable log of recorded runs and purges that every process on the
 * database follows (SSE, alerts, reports). `tx` is the PostgreSQL transaction id (null on SQLite,
 * where one writer at a time makes `seq` commit-ordered).
 */
export interface RunFeedTable {
  seq: Generated<number>;
  kind: "run" | "purge";
  run_id: string | null;
  at: string;
  tx: string | null;
}

/** Machines that recorded into this database: a stable id kept in each data dir, and a name. */
export interface NodesTable {
  id: string;
  name: string;
  hostname: string;
  first_seen: string;
  last_seen: string;
  version: string | null;
}

/** A file being processed right now; a row left over after its process died marks an interrupted run. */
export interface RunsInFlightTable {
  run_id: string;
  file_path: string;
  /** Every temp file of the run starts with this path. */
  temp_prefix: string;
  policy_name: string;
  job_id: string | null;
  host: string;
  /** The vpo process doing the work. */
  pid: number;
  /** The ffmpeg child currently running for it, if any. */
  child_pid: number | null;
  phase: string | null;
  size_before: number | null;
  started_at: string;
  /** JSON (engine-defined): the file's identity and facts before the run. */
  before_facts: string | null;
  /** JSON (engine-defined): the run as it will be recorded; set at the commit point, before the file is replaced. */
  pending_run: string | null;
  /** The node doing the work. */
  node: string | null;
  /** The file as every machine names it (`library:<name>/<path>`, else `file:<absolute path>`): unique, one run in flight per file. */
  file_key: string | null;
  library: string | null;
  /** Inside the library root, "/"-separated. */
  library_path: string | null;
  /** The queue job (pg-boss id) and attempt (its retry count) the run works for. */
  queue_job_id: string | null;
  queue_attempt: number | null;
  /** Written every few seconds while the run is alive (queue workers): a stale one means its owner is gone. */
  heartbeat_at: string | null;
  progress_percent: number | null;
  progress_speed: number | null;
  progress_fps: number | null;
  progress_eta_seconds: number | null;
  /** The digest of the policy the run applies (LoadedPolicy.digest), for the record of a recovered run. */
  policy_digest: string | null;
}

/**
 * The library's composition on one day: files and bytes per value of each dimension (container,
 * video codec, resolution, HDR, audio codec, audio and subtitle languages; "total" has value "").
 * One snapshot per library and UTC day, replaced by that day's later scans. Library "" is every
 * file known.
 */
export interface LibrarySnapshotsTable {
  library: string;
  day: string;
  dimension: string;
  value: string;
  files: number;
  bytes: number;
  taken_at: string;
}

/**
 * Reports made (scheduled or on demand) with their document. (schedule, period_key) is unique:
 * several servers on one database claim a scheduled report by inserting its row, so one makes it.
 */
export interface ReportsTable {
  id: string;
  /** The schedule's name; "" for a report made on demand. */
  schedule: string;
  /** The period it covers, e.g. "week 2026-W05" or "2026-01-01..2026-01-08". */
  period_key: string;
  period: string;
  since: string;
  until: string;
  format: string;
  content_type: string;
  status: "building" | "done" | "failed";
  claimed_by: string | null;
  claimed_at: string;
  created_at: string | null;
  body: Uint8Array | null;
  size_bytes: number | null;
  error: string | null;
  /** JSON: where it was delivered, per channel. */
  deliveries: string | null;
}

/** Where retention has deleted up to: `horizon` is the UTC midnight before which rows of `name` are gone. */
export interface RetentionStateTable {
  name: string;
  horizon: string;
  applied_at: string;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: string;
}

export interface Database extends MonitoringTables {
  files: FilesTable;
  jobs: JobsTable;
  processing_stats: ProcessingStatsTable;
  action_results: ActionResultsTable;
  performance_metrics: PerformanceMetricsTable;
  plugin_metrics: PluginMetricsTable;
  plugin_errors: PluginErrorsTable;
  stats_rollup: StatsRollupTable;
  codec_rollup: CodecRollupTable;
  metric_rollup: MetricRollupTable;
  /** The month tier: the same rows per month, `day` holding the month's first day. */
  stats_rollup_month: StatsRollupTable;
  codec_rollup_month: CodecRollupTable;
  metric_rollup_month: MetricRollupTable;
  /** The hour tier: the same rows per UTC hour, `day` holding "YYYY-MM-DDTHH". */
  stats_rollup_hour: StatsRollupTable;
  codec_rollup_hour: CodecRollupTable;
  metric_rollup_hour: MetricRollupTable;
  phase_rollup: PhaseRollupTable;
  phase_rollup_hour: PhaseRollupTable;
  phase_rollup_month: PhaseRollupTable;
  /** The unscoped twins of the day and month tiers: views with no policy, library or node filter read these. */
  stats_rollup_unscoped: Unscoped<StatsRollupTable>;
  codec_rollup_unscoped: Unscoped<CodecRollupTable>;
  metric_rollup_unscoped: Unscoped<MetricRollupTable>;
  phase_rollup_unscoped: Unscoped<PhaseRollupTable>;
  stats_rollup_unscoped_month: Unscoped<StatsRollupTable>;
  codec_rollup_unscoped_month: Unscoped<CodecRollupTable>;
  metric_rollup_unscoped_month: Unscoped<MetricRollupTable>;
  phase_rollup_unscoped_month: Unscoped<PhaseRollupTable>;
  failure_rollup: FailureRollupTable;
  failure_rollup_hour: FailureRollupTable;
  failure_rollup_month: FailureRollupTable;
  failure_rollup_unscoped: Unscoped<FailureRollupTable>;
  failure_rollup_unscoped_month: Unscoped<FailureRollupTable>;
  failure_repeats: FailureRepeatsTable;
  run_feed: RunFeedTable;
  nodes: NodesTable;
  runs_in_flight: RunsInFlightTable;
  library_snapshots: LibrarySnapshotsTable;
  reports: ReportsTable;
  retention_state: RetentionStateTable;
  schema_migrations: SchemaMigrationsTable;
}
