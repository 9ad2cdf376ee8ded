import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import {
  checkConfigSetup, type ConfigProblem, configFilePath, createRegistry, dataDir, errorMessage, listProfiles, loadPluginModule,
  profilesDir, VpoError,
} from "../core/mod.ts";
import { builtinPlugins } from "../engine/mod.ts";

/** `<data dir>/policies/*.yaml|yml`, sorted. */
export function policyFiles(dir = join(dataDir(), "policies")): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(dir, f));
}

/**
 * Every problem of one policy file. Uses the engine's policy loader (schema, cross-checks);
 * should that module be unavailable, falls back to a YAML syntax check.
 */
export async function checkPolicyFile(path: string): Promise<string[]> {
  const text = readFileSync(path, "utf8");
  let parsePolicy: ((text: string, source: string) => unknown) | undefined;
  try {
    ({ parsePolicy } = await import("../engine/policy/load.ts"));
  } catch {
    parsePolicy = undefined;
  }
  if (!parsePolicy) return parseDocument(text).errors.map((e) => `YAML syntax error: ${e.message.split("\n")[0]}`);
  try {
    parsePolicy(text, path);
    return [];
  } catch (error) {
    if (error instanceof VpoError && Array.isArray(error.details)) return error.details as string[];
    return [errorMessage(error)];
  }
}

/**
 * `plugins.load` of a TOML file, read even when other keys of the file are invalid, so that a
 * bad port does not hide a missing plugin. Not a list of strings: its own problem, reported elsewhere.
 */
function pluginLoadList(path: string): string[] {
  try {
    const load = (Bun.TOML.parse(readFileSync(path, "utf8")) as { plugins?: { load?: unknown } }).plugins?.load;
    return Array.isArray(load) ? load.filter((s): s is string => typeof s === "string") : [];
  } catch {
    return [];
  }
}

/** Plugin specifiers named by the config file and the profiles, with the file each came from. */
function pluginSpecifiers(profile: string | undefined): { specifier: string; where: string }[] {
  const files = [configFilePath(), ...(profile ? [profile] : listProfiles()).map((name) => join(profilesDir(), `${name}.toml`))];
  return files.filter((path) => existsSync(path)).flatMap((where) => pluginLoadList(where).map((specifier) => ({ specifier, where })));
}

/** Loads and registers every configured plugin (and the built-ins with their options), collecting failures. */
export async function checkPlugins(options: { profile?: string; extra?: string[]; pluginOptions?: Record<string, Record<string, unknown>> }): Promise<ConfigProblem[]> {
  const problems: ConfigProblem[] = [];
  const registry = createRegistry();
  const pluginOptions = options.pluginOptions ?? {};
  try {
    for (const plugin of builtinPlugins({ hash: pluginOptions.hash })) registry.register(plugin);
  } catch (error) {
    problems.push({ where: "plugins.options", message: errorMessage(error) });
  }
  const seen = new Set<string>();
  for (const { specifier, where } of [...pluginSpecifiers(options.profile), ...(options.extra ?? []).map((s) => ({ specifier: s, where: "--plugin" }))]) {
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    try {
      registry.register(await loadPluginModule(specifier, { optionsByName: pluginOptions }), specifier);
    } catch (error) {
      problems.push({ where, message: errorMessage(error) });
    }
  }
  return problems;
}

/** Everything `vpo config validate` checks: config, profiles, environment, policies, plugins. */
export async function checkSetup(options: { profile?: string; extraPlugins?: string[]; pluginOptions?: Record<string, Record<string, unknown>> }): Promise<ConfigProblem[]> {
  const problems = checkConfigSetup({ profile: options.profile });
  for (const path of policyFiles()) {
    for (const message of await checkPolicyFile(path)) problems.push({ where: path, message });
  }
  problems.push(...(await checkPlugins({ profile: options.profile, extra: options.extraPlugins, pluginOptions: options.pluginOptions })));
  return problems;
}
