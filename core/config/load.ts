import { existsSync, readFileSync, readdirSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import * as v from "valibot";
import { VpoError, errorMessage } from "../errors.ts";
import { dataDir } from "../paths.ts";
import { parseOrThrow } from "../validation.ts";
import { type Config, ConfigSchema } from "./schema.ts";

export type ConfigSource = "default" | "config" | "profile" | "env" | "flag";
type Env = Record<string, string | undefined>;
type Layer = { source: ConfigSource; values: Config };

export const ProfileSchema = v.strictObject({
  ...ConfigSchema.entries,
  description: v.optional(v.string()),
  default_policy: v.optional(v.string()),
});
export type Profile = v.InferOutput<typeof ProfileSchema>;
const PROFILE_NAME = /^[A-Za-z0-9_-]+$/;

/** Built-in defaults: the bottom layer. */
export function defaultConfig(env: Env = process.env): Config {
  return {
    database: { path: join(dataDir(env), "library.db") },
    tools: { probe_timeout_seconds: 30 },
    logging: { level: "info", json: false, max_bytes: 10 * 1024 * 1024, backup_count: 3 },
    jobs: { retention_days: 90 },
    server: { host: "127.0.0.1", port: 8321, cors_origins: [], body_limit_bytes: 10 * 1024 * 1024 },
    plugins: { load: [], hook_timeout_ms: 30_000, options: {} },
    processing: { workers: 1, keep_backup: false },
  };
}

function readToml(path: string, what: string): unknown {
  try {
    return Bun.TOML.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new VpoError("INVALID_CONFIG", `Cannot read ${what} "${path}": ${errorMessage(error)}`, { cause: error });
  }
}

/** Reads and validates a config file; an error names the file, the key and what was expected. */
export function readConfigFile(path: string): Config {
  return parseOrThrow(ConfigSchema, readToml(path, "config"), `Invalid config "${path}"`, "INVALID_CONFIG");
}

export function profilesDir(env: Env = process.env): string {
  return join(dataDir(env), "profiles");
}

/** Names of the profiles in the data dir, sorted. */
export function listProfiles(env: Env = process.env): string[] {
  const dir = profilesDir(env);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith(".toml")).map((f) => f.slice(0, -5)).sort();
}

/** Reads `profiles/<name>.toml`; a missing profile lists the available ones (FILE_NOT_FOUND → exit 64). */
export function readProfile(name: string, env: Env = process.env): Profile {
  if (!PROFILE_NAME.test(name)) {
    throw new VpoError("INVALID_ARGUMENT", `Invalid profile name "${name}": use letters, digits, "_" and "-" only`);
  }
  const path = join(profilesDir(env), `${name}.toml`);
  if (!existsSync(path)) {
    const available = listProfiles(env);
    throw new VpoError("FILE_NOT_FOUND", `Profile "${name}" not found in ${profilesDir(env)}; available: ${available.length ? available.join(", ") : "none"}`);
  }
  return parseOrThrow(ProfileSchema, readToml(path, "profile"), `Invalid profile "${path}"`, "INVALID_CONFIG");
}

/** `VPO_<SECTION>_<KEY>` overrides, coerced to each key's type. */
export function envLayer(env: Env = process.env): Config {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [section, sectionSchema] of Object.entries(ConfigSchema.entries)) {
    const entries = (sectionSchema as unknown as { wrapped: { entries: Record<string, v.GenericSchema> } }).wrapped.entries;
    for (const [key, schema] of Object.entries(entries)) {
      const name = `VPO_${section}_${key}`.toUpperCase();
      const raw = env[name];
      if (raw === undefined || raw === "") continue;
      const type = (schema as unknown as { wrapped?: { type: string } }).wrapped?.type ?? "string";
      let value: unknown = raw;
      if (type === "number" || type === "pipe") value = Number(raw);
      if (type === "boolean") value = /^(1|true|yes|on)$/i.test(raw) ? true : /^(0|false|no|off)$/i.test(raw) ? false : raw;
      if (type === "array") value = raw.split(",").map((s) => s.trim()).filter(Boolean);
      if (type === "record") continue;
      (out[section] ??= {})[key] = parseOrThrow(schema, value, `Invalid environment variable ${name}="${raw}"`, "INVALID_CONFIG");
    }
  }
  return out as Config;
}

export interface LoadConfigOptions {
  env?: Env;
  /** Profile name (else `VPO_PROFILE`). */
  profile?: string;
  /** Command-line values: the top layer. */
  flags?: Config;
}

export interface LoadedConfig {
  config: Required<Config>;
  /** Where each `section.key` value came from. */
  sources: Record<string, ConfigSource>;
  configPath: string | null;
  profile: { name: string; description: string | null; default_policy: string | null } | null;
}

/**
 * Merges the layers, later winning: built-in default < config file < profile < environment < flag.
 * The config file is `$VPO_CONFIG`, else `<data dir>/config.toml` when it exists.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const layers: Layer[] = [{ source: "default", values: defaultConfig(env) }];
  const configPath = env.VPO_CONFIG || join(dataDir(env), "config.toml");
  const hasFile = existsSync(configPath);
  if (env.VPO_CONFIG && !hasFile) throw new VpoError("FILE_NOT_FOUND", `Config file "${configPath}" (from VPO_CONFIG) does not exist`);
  if (hasFile) layers.push({ source: "config", values: readConfigFile(configPath) });
  const profileName = options.profile ?? env.VPO_PROFILE;
  let profile: LoadedConfig["profile"] = null;
  if (profileName) {
    const { description, default_policy, ...values } = readProfile(profileName, env);
    layers.push({ source: "profile", values });
    profile = { name: profileName, description: description ?? null, default_policy: default_policy ?? null };
  }
  layers.push({ source: "env", values: envLayer(env) });
  if (options.flags) layers.push({ source: "flag", values: options.flags });

  const config: Record<string, Record<string, unknown>> = {};
  const sources: Record<string, ConfigSource> = {};
  for (const layer of layers) {
    for (const [section, values] of Object.entries(layer.values)) {
      for (const [key, value] of Object.entries(values ?? {})) {
        if (value === undefined) continue;
        (config[section] ??= {})[key] = value;
        sources[`${section}.${key}`] = layer.source;
      }
    }
  }
  const dbPath = config.database?.path as string | undefined;
  if (dbPath && !isAbsolute(dbPath)) config.database!.path = join(dataDir(env), dbPath);
  return { config: config as Required<Config>, sources, configPath: hasFile ? configPath : null, profile };
}
