import * as v from "valibot";

const positiveInt = v.pipe(v.number(), v.integer(), v.minValue(1));

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
      probe_timeout_seconds: v.optional(positiveInt),
    }),
  ),
  logging: v.optional(
    v.strictObject({
      level: v.optional(v.picklist(["debug", "info", "warning", "error"])),
      file: v.optional(v.string()),
      json: v.optional(v.boolean()),
      max_bytes: v.optional(positiveInt),
      backup_count: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
    }),
  ),
  jobs: v.optional(v.strictObject({ retention_days: v.optional(positiveInt) })),
  server: v.optional(
    v.strictObject({
      host: v.optional(v.string()),
      port: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535))),
      token: v.optional(v.string()),
      cors_origins: v.optional(v.array(v.string())),
      body_limit_bytes: v.optional(positiveInt),
    }),
  ),
  plugins: v.optional(
    v.strictObject({
      /** Module specifiers (file paths or package names) of third-party plugins. */
      load: v.optional(v.array(v.string())),
      /** Time budget of one hook call. */
      hook_timeout_ms: v.optional(positiveInt),
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
});

export type Config = v.InferOutput<typeof ConfigSchema>;
export type ConfigSection = keyof Config;
