import { existsSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { VpoError } from "../errors.ts";
import { dataDir } from "../paths.ts";
import { defaultConfig } from "./defaults.ts";
import { envLayer } from "./env.ts";
import { configFilePath, readConfigFile, readProfile } from "./files.ts";
import { checkMonitoringReferences } from "./monitoring.ts";
import { type Config, homeRelative } from "./schema.ts";

export type ConfigSource = "default" | "config" | "profile" | "env" | "flag";
type Env = Record<string, string | undefined>;
type Layer = { source: ConfigSource; values: Config };

export interface LoadConfigOptions {
  env?: Env;
  /** Profile name (else `VPO_PROFILE`). */
  profile?: string;
  /** Command-line values: the top layer. */
  flags?: Config;
}

export interface LoadedConfig {
  config: Required<Config>;
  /** Where each `section.key` value came from (`plugins.options.<plugin>` per plugin). */
  sources: Record<string, ConfigSource>;
  configPath: string | null;
  profile: { name: string; description: string | null; default_policy: string | null } | null;
}

/** Keys holding file paths: relative values are taken from the data dir, or from the working dir when given as a flag. */
const PATH_KEYS = [["database", "path"], ["logging", "file"]] as const;
/** Paths taken as written (an ffmpeg on PATH by name, a temp dir), but for `~/…`. */
const HOME_ONLY_KEYS = [["tools", "ffmpeg"], ["tools", "ffprobe"], ["processing", "temp_dir"]] as const;

/**
 * `~/…` in the home folder. A shell expands it on a command line, but not in TOML or a variable:
 * `path = "~/lib.db"` made a folder named "~" in the data dir.
 */
const inHome = (path: string): string => join(homedir(), path.slice(1));

/**
 * Merges the layers, later winning: built-in default < config file < profile < environment < flag.
 * The config file is `$VPO_CONFIG`, else `<data dir>/config.toml` when it exists.
 * `[plugins.options]` merges per plugin, so a profile can tune one plugin and keep the others.
 *
 * @example loadConfig({ profile: "anime", flags: { logging: { level: "debug" } } }).sources["logging.level"] // "flag"
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  // Everything vpo keeps lives below it: a file there read as "nothing recorded yet", or failed mkdir (EEXIST).
  const home = dataDir(env);
  if (statSync(home, { throwIfNoEntry: false })?.isDirectory() === false) {
    throw new VpoError("INVALID_CONFIG", `The data dir "${home}"${env.VPO_DATA_DIR ? " (VPO_DATA_DIR)" : ""} is not a directory: point VPO_DATA_DIR at a folder, or move the file away`);
  }
  const layers: Layer[] = [{ source: "default", values: defaultConfig(env) }];
  const configPath = configFilePath(env);
  const hasFile = existsSync(configPath);
  if (env.VPO_CONFIG && !hasFile) throw new VpoError("FILE_NOT_FOUND", `Config file "${configPath}" (from VPO_CONFIG) does not exist`);
  if (hasFile) layers.push({ source: "config", values: readConfigFile(configPath) });
  const profileName = options.profile || env.VPO_PROFILE;
  let profile: LoadedConfig["profile"] = null;
  if (profileName) {
    const { description, default_policy, ...values } = readProfile(profileName, env);
    layers.push({ source: "profile", values });
    profile = { name: profileName, description: description ?? null, default_policy: default_policy ?? null };
  }
  layers.push({ source: "env", values: envLayer(env) });
  if (options.flags) layers.push({ source: "flag", values: options.flags });

  const { config, sources } = mergeLayers(layers);
  for (const [section, key] of PATH_KEYS) {
    const value = config[section]?.[key] as string | undefined;
    if (!value) continue;
    if (homeRelative(value)) {
      config[section]![key] = inHome(value);
      continue;
    }
    if (isAbsolute(value)) continue;
    config[section]![key] = sources[`${section}.${key}`] === "flag" ? resolve(value) : join(dataDir(env), value);
  }
  for (const [section, key] of HOME_ONLY_KEYS) {
    const value = config[section]?.[key] as string | undefined;
    if (value && homeRelative(value)) config[section]![key] = inHome(value);
  }
  for (const [name, root] of Object.entries(config.libraries ?? {})) {
    if (homeRelative(root as string)) config.libraries![name] = inHome(root as string);
  }
  // Checked once merged: a rule in config.toml may name a channel that a profile defines.
  const problems = checkMonitoringReferences(config as Config);
  if (problems.length) {
    throw new VpoError("INVALID_CONFIG", `Invalid config${hasFile ? ` "${configPath}"` : ""}: ${problems.join("; ")}`, { details: problems });
  }
  return { config: config as Required<Config>, sources, configPath: hasFile ? configPath : null, profile };
}

function mergeLayers(layers: Layer[]) {
  const config: Record<string, Record<string, unknown>> = {};
  const sources: Record<string, ConfigSource> = {};
  for (const layer of layers) {
    for (const [section, values] of Object.entries(layer.values)) {
      for (const [key, value] of Object.entries(values ?? {})) {
        if (value === undefined) continue;
        const target = (config[section] ??= {});
        if (section === "plugins" && key === "options") {
          const merged = (target.options ??= {}) as Record<string, unknown>;
          for (const [plugin, pluginOptions] of Object.entries(value as Record<string, unknown>)) {
            merged[plugin] = pluginOptions;
            sources[`plugins.options.${plugin}`] = layer.source;
          }
          continue;
        }
        target[key] = value;
        sources[`${section}.${key}`] = layer.source;
      }
    }
  }
  return { config, sources };
}
