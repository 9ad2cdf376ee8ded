import {
  type Config, createEventBus, databaseLocation, dataDir, type NodeIdentity, nodeIdentity, createRegistry, type EventBus, loadConfig, type LoadedConfig, loadPluginModule,
  LOG_LEVELS, type LogLevelName, openDatabase, type OpenedDatabase, type PluginRegistry, VpoError,
} from "../core/mod.ts";
import { type GlobalValues, repeated, rootValues } from "./global_args.ts";
import { attachLogStore, configureLogging, detachLogStore } from "./logging.ts";

export { globalArgs, type GlobalValues, rememberRootArgs, repeated } from "./global_args.ts";

export interface CliContext {
  loaded: LoadedConfig;
  config: LoadedConfig["config"];
  registry: PluginRegistry;
  bus: EventBus;
  /** The database this command uses: a SQLite path or a PostgreSQL URL. */
  location: string;
  /** This machine: a stable id from the data dir and its `[node] name`. */
  readonly node: NodeIdentity;
  /** Opens it for writing (creating and migrating as needed), or with `access: "read"` only for reading. */
  open(options?: { access?: "read" | "write" }): Promise<OpenedDatabase>;
}

/** The global flags of this invocation: those after the subcommand win over those before it. */
export function globalValues(args: GlobalValues): GlobalValues {
  return { ...rootValues, ...Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)) };
}

/** The command-line layer of the config: `--db`, `--log-level`, `--log-file`, `--log-json`. */
export function flagLayer(values: GlobalValues): Config {
  const flags: Config = {};
  if (values.db) flags.database = { url: values.db };
  const logging: NonNullable<Config["logging"]> = {};
  if (values["log-level"]) {
    const level = values["log-level"];
    if (!(LOG_LEVELS as readonly string[]).includes(level)) {
      throw new VpoError("INVALID_ARGUMENT", `Invalid --log-level "${level}": expected ${LOG_LEVELS.join(", ")}`);
    }
    logging.level = level as LogLevelName;
  }
  if (values["log-file"]) logging.file = values["log-file"];
  if (values["log-json"]) logging.json = true;
  if (Object.keys(logging).length) flags.logging = logging;
  return flags;
}

/** The merged config for this invocation; `profile` replaces the one given by `--profile`/`VPO_PROFILE`. */
export function loadCliConfig(args: GlobalValues, options: { profile?: string } = {}): LoadedConfig {
  const values = globalValues(args);
  return loadConfig({ profile: options.profile ?? values.profile, flags: flagLayer(values) });
}

/**
 * Config (with flags as the top layer), logging and the plugin registry for one command.
 * Commands that only read the database pass `plugins: false` and skip loading plugins.
 */
export async function createContext(
  args: GlobalValues,
  rawArgs: readonly string[],
  options: { plugins?: boolean; reportedLogCategories?: readonly string[] } = {},
): Promise<CliContext> {
  const loaded = loadCliConfig(args);
  await configureLogging(loaded.config.logging, { reported: options.reportedLogCategories });

  let node: NodeIdentity | undefined;
  const registry = createRegistry();
  if (options.plugins !== false) {
    const pluginOptions = (loaded.config.plugins.options ?? {}) as Record<string, Record<string, unknown>>;
    // Loaded only by commands that process files: a read of the database never pays for them.
    const { builtinPlugins } = await import("../engine/mod.ts");
    for (const plugin of builtinPlugins({ hash: pluginOptions.hash })) registry.register(plugin);
    const specifiers = [...(loaded.config.plugins.load ?? []), ...rootValues.plugins, ...repeated(rawArgs, "plugin")];
    for (const specifier of new Set(specifiers)) {
      registry.register(await loadPluginModule(specifier, { optionsByName: pluginOptions }), specifier);
    }
  }
  const ctx: CliContext = {
    loaded,
    config: loaded.config,
    registry,
    bus: createEventBus(),
    location: databaseLocation(loaded),
    // Read on first use: commands that never record need no node-id file.
    get node() {
      return (node ??= nodeIdentity(dataDir(), loaded.config.node?.name));
    },
    async open(options) {
      const opened = await openDatabase(databaseLocation(loaded), options);
      if (options?.access === "read") return opened;
      // A command that may write keeps its warnings and errors in the database too (vpo logs).
      attachLogStore(opened.db, { node: ctx.node.name });
      return {
        ...opened,
        async close() {
          await detachLogStore();
          await opened.close();
        },
      };
    },
  };
  return ctx;
}
