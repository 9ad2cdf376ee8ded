import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { VpoError, errorMessage } from "./errors.ts";

const PATH_LIKE = /^(\.{1,2}[\\/]|[\\/]|[A-Za-z]:[\\/])|\.(m?[jt]s|tsx?)$/;

/**
 * Loads a third-party plugin by module specifier: a file path (relative to `cwd`) or a package
 * name. The module's default export (or named export `plugin`) is a plugin object, or a factory
 * called with this plugin's options from `optionsByName`. The result still has to pass registry validation.
 */
export async function loadPluginModule(
  specifier: string,
  options: { cwd?: string; optionsByName?: Record<string, Record<string, unknown>> } = {},
): Promise<unknown> {
  const cwd = options.cwd ?? process.cwd();
  let target: string;
  if (PATH_LIKE.test(specifier)) {
    target = isAbsolute(specifier) ? specifier : resolve(cwd, specifier);
    if (!existsSync(target)) throw new VpoError("PLUGIN_LOAD_FAILED", `Cannot load plugin "${specifier}": no file at ${target}`);
  } else {
    try {
      target = Bun.resolveSync(specifier, cwd);
    } catch {
      throw new VpoError("PLUGIN_LOAD_FAILED", `Cannot load plugin "${specifier}": package not found from ${cwd} (install it, or give a file path starting with ./)`);
    }
  }
  let mod: Record<string, unknown>;
  try {
    mod = await import(target);
  } catch (error) {
    throw new VpoError("PLUGIN_LOAD_FAILED", `Cannot load plugin "${specifier}": ${errorMessage(error)}`, { cause: error });
  }
  const exported = mod.default ?? mod.plugin;
  if (exported === undefined) {
    throw new VpoError("PLUGIN_LOAD_FAILED", `Cannot load plugin "${specifier}": the module has no default export (export default definePlugin({ ... }))`);
  }
  if (typeof exported !== "function") return exported;
  const factory = exported as (o: Record<string, unknown>) => unknown;
  try {
    // Options are keyed by plugin name, which only the factory's result tells: call it once to
    // learn the name, again with that plugin's options when the config has some.
    const plain = await factory({});
    const name = (plain as { name?: unknown } | null)?.name;
    const own = typeof name === "string" ? options.optionsByName?.[name] : undefined;
    return own ? await factory(own) : plain;
  } catch (error) {
    throw new VpoError("PLUGIN_LOAD_FAILED", `Cannot load plugin "${specifier}": its factory threw: ${errorMessage(error)}`, { cause: error });
  }
}
