import { existsSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { DEFAULT_HOOK_TIMEOUT_MS } from "./capture.ts";
import { VpoError } from "./errors.ts";
import type { VpoPlugin } from "./plugin.ts";
import { hostPlugin } from "./plugin_host/mod.ts";
import { provideModules } from "./plugin_host/_provided_modules.ts";

const PATH_LIKE = /^(\.{1,2}[\\/]|[\\/]|[A-Za-z]:[\\/])|\.(m?[jt]s|tsx?)$/;

/** Default budget for importing a plugin module and calling its factory. */
export const DEFAULT_PLUGIN_LOAD_TIMEOUT_MS = 30_000;

/**
 * The name a plugin module is loaded under, which keys its options in `[plugins.options.<name>]`:
 * a file's base name without extension (`./subtitle-size.ts` → `subtitle-size`), or a package's
 * name (`vpo-words`, `@acme/words`; a subpath is dropped). Known before the module runs, so the
 * factory is called once, with its options.
 */
export function pluginLoadName(specifier: string): string {
  if (PATH_LIKE.test(specifier)) return basename(specifier).replace(/\.(m?[jt]s|tsx?)$/, "");
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/**
 * Bun installs a missing package on the fly when no node_modules folder is found at or above the
 * directory it resolves from. A plugin is never fetched from the registry behind the user's back,
 * so a package name is only looked up where a node_modules folder exists.
 */
function hasNodeModules(from: string): boolean {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "node_modules"))) return true;
    if (dirname(dir) === dir) return false;
  }
}

const tomlKey = (key: string) => (/^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key));

export interface LoadPluginOptions {
  cwd?: string;
  /** `[plugins.options]`: options per load name (see `pluginLoadName`). */
  optionsByName?: Record<string, Record<string, unknown>>;
  /** Budget for importing the module and calling its factory (default 30 s). */
  loadTimeoutMs?: number;
}

/**
 * Loads a third-party plugin by module specifier: a file path (relative to `cwd`) or a package
 * name. The module's default export (or named export `plugin`) is a plugin object, or a factory
 * called once with `optionsByName[pluginLoadName(specifier)]` (or `{}`).
 *
 * The plugin runs in its own worker (see core/plugin_host); what comes back is the plugin that
 * stands in for it, to register like any other. Registration still validates it.
 */
export async function loadPluginModule(specifier: string, options: LoadPluginOptions = {}): Promise<VpoPlugin> {
  const cwd = options.cwd ?? process.cwd();
  provideModules(); // the same `vpo` and `valibot` for a plugin imported on this thread as in its worker
  let target: string;
  if (PATH_LIKE.test(specifier)) {
    target = isAbsolute(specifier) ? specifier : resolve(cwd, specifier);
    if (!existsSync(target)) throw new VpoError("PLUGIN_LOAD_FAILED", `Cannot load plugin "${specifier}": no file at ${target}`);
  } else {
    try {
      if (!hasNodeModules(cwd)) throw new Error("no node_modules");
      target = Bun.resolveSync(specifier, cwd);
    } catch {
      throw new VpoError("PLUGIN_LOAD_FAILED", `Cannot load plugin "${specifier}": package not found from ${cwd} (install it, or give a file path starting with ./)`);
    }
  }
  const name = pluginLoadName(specifier);
  const plugin = await hostPlugin({
    target,
    specifier,
    options: options.optionsByName?.[name],
    loadTimeoutMs: options.loadTimeoutMs ?? DEFAULT_PLUGIN_LOAD_TIMEOUT_MS,
    defaultHookTimeoutMs: DEFAULT_HOOK_TIMEOUT_MS,
  });
  // Options written under the plugin's own name would silently not reach it: say where they go.
  if (plugin.name !== name && options.optionsByName?.[plugin.name] !== undefined && options.optionsByName[name] === undefined) {
    throw new VpoError(
      "INVALID_CONFIG",
      `Options for plugin "${plugin.name}" belong under [plugins.options.${tomlKey(name)}], the name "${specifier}" is loaded under; [plugins.options.${tomlKey(plugin.name)}] does not reach it`,
    );
  }
  return plugin;
}
