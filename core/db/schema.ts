import type { Generated } from "kysely";

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
  status: "queued" | "running" | "completed" | "failed" | "cancelled";
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  policy_name: string | null;
  summary: string | null;
  files_total: number | null;
  files_affected: number | null;
  error: string | null;
}

export interface ProcessingStatsTable {
  id: string;
  file_id: number | null;
  file_path: string;
  job_id: string | null;
  processed_at: string;
  policy_name: string;
  status: "success" | "failed" | "interrupted";
  success: number;
  error_message: string | null;
  size_before: number | null;
  size_after: number | null;
  size_change: number | null;
  audio_tracks_before: number | null;
  audio_tracks_after: number | null;
  audio_tracks_removed: number | null;
  subtitle_tracks_before: number | null;
  subtitle_tracks_after: number | null;
  subtitle_tracks_removed: number | null;
  attachments_before: number | null;
  attachments_after: number | null;
  attachments_removed: number | null;
  duration_seconds: number | null;
  phases_completed: number;
  phases_total: number;
  total_changes: number;
  video_source_codec: string | null;
  video_target_codec: string | null;
  video_transcode_skipped: number | null;
  video_skip_reason: string | null;
  audio_tracks_transcoded: number | null;
  audio_tracks_preserved: number | null;
  encoder_type: "hardware" | "software" | null;
  hash_before: string | null;
  hash_after: string | null;
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

export interface PluginMetricsTable {
  id: Generated<number>;
  stats_id: string;
  plugin: string;
  key: string;
  num: number | null;
  text: string | null;
}

export interface PluginErrorsTable {
  id: Generated<number>;
  stats_id: string;
  plugin: string;
  hook: string;
  code: string;
  message: string;
}

/** Per-day, per-policy sums kept in step with processing_stats so aggregates need not scan every run. */
export interface StatsDailyTable {
  day: string;
  policy_name: string;
  runs: number;
  successes: number;
  size_before: number;
  size_after: number;
  size_saved: number;
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
  first_at: string;
  last_at: string;
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
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: string;
}

export interface Database {
  files: FilesTable;
  jobs: JobsTable;
  processing_stats: ProcessingStatsTable;
  action_results: ActionResultsTable;
  performance_metrics: PerformanceMetricsTable;
  plugin_metrics: PluginMetricsTable;
  plugin_errors: PluginErrorsTable;
  stats_daily: StatsDailyTable;
  runs_in_flight: RunsInFlightTable;
  schema_migrations: SchemaMigrationsTable;
}
