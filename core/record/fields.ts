/**
 * The run record, defined once. Every run-level field is declared here with its kind, whether a
 * run must carry it, and — for the facts plugins contribute — the built-in plugin that owns it.
 * The import/export schema, normalisation, the processing_stats columns, the CSV export's
 * columns and the list of facts plugins may contribute are all derived from this table: adding a
 * fact is one line here plus a migration that adds its column (and, for a plugin fact, the
 * plugin declaring it in its `facts`).
 */

/** Largest file size accepted, in bytes (1 PiB): far beyond any media file, small enough that sums stay exact. */
export const MAX_BYTES = 2 ** 50;
/** Longest duration accepted, in seconds (about 115 days). */
export const MAX_SECONDS = 10_000_000;
/** Most tracks (or attachments) one file may report. */
export const MAX_TRACKS = 100_000;
/** Longest free text (error messages, paths, names) accepted, in characters. */
export const MAX_TEXT = 16_384;
/** Largest magnitude of a plugin metric: integers stay exact, and sums over billions of runs stay finite. */
export const MAX_METRIC = Number.MAX_SAFE_INTEGER;

/** How many children one run may carry; more is refused as a whole (HTTP 422, an invalid import line). */
export const RUN_LIMITS = {
  actions: 10_000,
  phases: 1_000,
  /** plugin metrics over all plugins of the run */
  metrics: 10_000,
  pluginErrors: 1_000,
  /** JSON text of one action's before_state or after_state */
  stateChars: 65_536,
} as const;

export const RUN_STATUSES = ["success", "failed", "interrupted"] as const;
export const ENCODER_TYPES = ["hardware", "software"] as const;

/**
 * What a field holds. Column types are given per dialect where they differ: SQLite's INTEGER
 * and REAL are already 64-bit, PostgreSQL needs bigint and double precision.
 */
export const FIELD_KINDS = {
  uuid: { sqlite: "text", postgres: "text" },
  text: { sqlite: "text", postgres: "text" },
  instant: { sqlite: "text", postgres: "text" },
  bytes: { sqlite: "integer", postgres: "bigint" },
  /** before − after: negative when a file grew */
  bytesChange: { sqlite: "integer", postgres: "bigint" },
  tracks: { sqlite: "integer", postgres: "integer" },
  seconds: { sqlite: "real", postgres: "double precision" },
  /** stored as 0/1 */
  flag: { sqlite: "integer", postgres: "integer" },
  hash: { sqlite: "text", postgres: "text" },
  status: { sqlite: "text", postgres: "text" },
  encoder: { sqlite: "text", postgres: "text" },
} as const;
export type FieldKind = keyof typeof FIELD_KINDS;

interface FieldDef {
  kind: FieldKind;
  /** Must be given by whoever reports the run. */
  required?: true;
  /** Never null once normalised (a default or a derivation fills it). */
  notNull?: true;
  /** Computed by normalisation from other fields; may be given, and must then agree. */
  derived?: true;
  /** A fact a plugin contributes from afterRun; exactly one registered plugin may own it (its `facts`). */
  fact?: true;
}

/** Every run-level field in record order: the order of exports, CSV columns and processing_stats. */
export const RUN_FIELDS = {
  id: { kind: "uuid", notNull: true },
  file_path: { kind: "text", required: true },
  processed_at: { kind: "instant", required: true },
  policy_name: { kind: "text", required: true },
  /** sha256 of the policy's content: a re-run of the same policy on the same content is skipped. */
  policy_digest: { kind: "hash" },
  job_id: { kind: "text" },
  /** The machine that processed the file (its `[node] name`). */
  node: { kind: "text" },
  /** The library root the file belongs to (`[libraries]`), if any. */
  library: { kind: "text" },
  status: { kind: "status", notNull: true, derived: true },
  success: { kind: "flag", required: true },
  error_message: { kind: "text" },
  /** A failed run: the command line of the tool that failed (ffmpeg, ffprobe, the user's command). */
  failure_command: { kind: "text" },
  /** A failed run: the tail of that tool's stderr. */
  failure_output: { kind: "text" },
  size_before: { kind: "bytes", fact: true },
  size_after: { kind: "bytes", fact: true },
  size_change: { kind: "bytesChange", derived: true },
  audio_tracks_before: { kind: "tracks", fact: true },
  audio_tracks_after: { kind: "tracks", fact: true },
  audio_tracks_removed: { kind: "tracks", derived: true },
  subtitle_tracks_before: { kind: "tracks", fact: true },
  subtitle_tracks_after: { kind: "tracks", fact: true },
  subtitle_tracks_removed: { kind: "tracks", derived: true },
  attachments_before: { kind: "tracks", fact: true },
  attachments_after: { kind: "tracks", fact: true },
  attachments_removed: { kind: "tracks", derived: true },
  duration_seconds: { kind: "seconds", fact: true },
  phases_completed: { kind: "tracks", notNull: true, derived: true },
  phases_total: { kind: "tracks", notNull: true, derived: true },
  total_changes: { kind: "tracks", notNull: true, derived: true },
  video_source_codec: { kind: "text", fact: true },
  video_target_codec: { kind: "text", fact: true },
  video_transcode_skipped: { kind: "flag", fact: true },
  video_skip_reason: { kind: "text", fact: true },
  /** Picture height of the video before the run, in pixels: the resolution bucket of performance series. */
  video_height: { kind: "tracks", fact: true },
  audio_tracks_transcoded: { kind: "tracks", fact: true },
  audio_tracks_preserved: { kind: "tracks", fact: true },
  encoder_type: { kind: "encoder", fact: true },
  hash_before: { kind: "hash", fact: true },
  hash_after: { kind: "hash", fact: true },
} as const satisfies Record<string, FieldDef>;

export type RunFieldName = keyof typeof RUN_FIELDS;
export const RUN_FIELD_NAMES = Object.keys(RUN_FIELDS) as RunFieldName[];

type Facts = { [K in RunFieldName]: (typeof RUN_FIELDS)[K] extends { fact: true } ? K : never }[RunFieldName];

/** Run-level facts a plugin may contribute by returning them from `afterRun`; each has one owner (the plugin's `facts`). */
export const RUN_FACT_KEYS = RUN_FIELD_NAMES.filter((k) => "fact" in RUN_FIELDS[k]) as Facts[];
export type RunFactKey = Facts;

/** (before, after, removed) triples: removed = max(0, before − after). */
export const REMOVED_COUNTS = [
  ["audio_tracks_before", "audio_tracks_after", "audio_tracks_removed"],
  ["subtitle_tracks_before", "subtitle_tracks_after", "subtitle_tracks_removed"],
  ["attachments_before", "attachments_after", "attachments_removed"],
] as const satisfies readonly (readonly [RunFieldName, RunFieldName, RunFieldName])[];

interface KindValues {
  uuid: string;
  text: string;
  instant: string;
  bytes: number;
  bytesChange: number;
  tracks: number;
  seconds: number;
  flag: boolean;
  hash: string;
  status: (typeof RUN_STATUSES)[number];
  encoder: (typeof ENCODER_TYPES)[number];
}
type Nullable<F> = F extends { required: true } ? never : F extends { notNull: true } ? never : null;
type ValueOf<F> = F extends { kind: infer K extends FieldKind } ? KindValues[K] | Nullable<F> : never;
/** As stored: flags are 0/1. */
type StoredOf<F> = F extends { kind: "flag" } ? number | Nullable<F> : ValueOf<F>;

/** The run-level fields of a normalised run. */
export type RunFields = { [K in RunFieldName]: ValueOf<(typeof RUN_FIELDS)[K]> };
/** The same fields as processing_stats stores them. */
export type RunColumns = { [K in RunFieldName]: StoredOf<(typeof RUN_FIELDS)[K]> };

/** The columns of processing_stats holding run fields, for a dialect (file_id and the like are not run fields). */
export function runColumnTypes(dialect: "sqlite" | "postgres"): [RunFieldName, string][] {
  return RUN_FIELD_NAMES.map((name) => [name, FIELD_KINDS[RUN_FIELDS[name].kind][dialect]]);
}
