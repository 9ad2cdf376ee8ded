import type { ArgsDef } from "citty";
import {
  type Config, createEventBus, createRegistry, type EventBus, loadConfig, type LoadedConfig, loadPluginModule,
  openDatabase, type OpenedDatabase, type PluginRegistry, VpoError,
} from "../core/mod.ts";
import { builtinPlugins } from "../plugins/mod.ts";
import { configureLogging } from "./logging.ts";

/** Flags every command accepts, before or after the subcommand name. */
export const globalArgs = {
  db: { type: "string", description: "SQLite database file (default ~/.vpo/library.db)" },
  plugin: { type: "string", description: "Load a third-party plugin by path or package name (repeatable)" },
  profile: { type: "string", description: "Use the named profile from ~/.vpo/profiles/" },
  "log-level": { type: "string", description: "debug | info | warning | error" },
  "log-file": { type: "string", description: "Also write logs to this file" },
  "log-json": { type: "boolean", description: "Log JSON lines instead of text" },
} as const satisfies ArgsDef;

type GlobalValues = { db?: string; profile?: string; "log-level"?: string; "log-file"?: string; "log-json"?: boolean };

/** Global flags seen before the subcommand name (citty parses them on the root command). */
const rootValues: GlobalValues & { plugins: string[] } = { plugins: [] };

/** Every value of a repeatable flag, up to a `--` separator (citty keeps only the last). */
export function repeated(rawArgs: readonly string[], flag: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i]!;
    if (arg === "--") break;
    if (arg === `--${flag}` && i + 1 < rawArgs.length) out.push(rawArgs[++i]!);
    else if (arg.startsWith(`--${flag}=`)) out.push(arg.slice(flag.length + 3));
  }
  return out;
}

/** Remembers the global flags given before the subcommand. */
export function rememberRootArgs(args: GlobalValues, rawArgs: readonly string[]): void {
  const takesValue = new Set(Object.entries(globalArgs).filter(([, d]) => d.type === "string").map(([name]) => `--${name}`));
  let command = rawArgs.length;
  for (let i = 0; i < rawArgs.length; i++) {
    if (takesValue.has(rawArgs[i]!)) i++;
    else if (!rawArgs[i]!.startsWith("-")) {
      command = i;
      break;
    }
  }
  Object.assign(rootValues, args, { plugins: repeated(rawArgs.slice(0, command), "plugin") });
}

export interface CliContext {
  loaded: LoadedConfig;
  config: LoadedConfig["config"];
  registry: PluginRegistry;
  bus: EventBus;
  open(): Promise<OpenedDatabase>;
}

/**
 * Config (with flags as the top layer), logging and the plugin registry for one command.
 * Commands that only read the database pass `plugins: false` and skip loading plugins.
 */
export async function createContext(args: GlobalValues, rawArgs: readonly string[], options: { plugins?: boolean } = {}): Promise<CliContext> {
  const merged: GlobalValues = { ...rootValues, ...Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)) };
  const flags: Config = {};
  if (merged.db) flags.database = { path: merged.db };
  const logging: NonNullable<Config["logging"]> = {};
  if (merged["log-level"]) {
    const level = merged["log-level"];
    if (!["debug", "info", "warning", "error"].includes(level)) {
      throw new VpoError("INVALID_ARGUMENT", `Invalid --log-level "${level}": expected debug, info, warning or error`);
    }
    logging.level = level as "info";
  }
  if (merged["log-file"]) logging.file = merged["log-file"];
  if (merged["log-json"]) logging.json = true;
  if (Object.keys(logging).length) flags.logging = logging;
  const loaded = loadConfig({ profile: merged.profile, flags });
  await configureLogging(loaded.config.logging);

  const registry = createRegistry();
  if (options.plugins !== false) {
    const pluginOptions = (loaded.config.plugins.options ?? {}) as Record<string, Record<string, unknown>>;
    for (const plugin of builtinPlugins({ hash: pluginOptions.hash })) registry.register(plugin);
    const specifiers = [...(loaded.config.plugins.load ?? []), ...rootValues.plugins, ...repeated(rawArgs, "plugin")];
    for (const specifier of new Set(specifiers)) {
      registry.register(await loadPluginModule(specifier, { optionsByName: pluginOptions }), specifier);
    }
  }
  return {
    loaded,
    config: loaded.config,
    registry,
    bus: createEventBus(),
    open: () => openDatabase(loaded.config.database.path!),
  };
}
