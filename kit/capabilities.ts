import { HOOK_NAMES, type HookName, type VpoPlugin } from "../core/mod.ts";

/**
 * What a plugin does, as its author declares it. A check of something the plugin does not do is
 * reported as skipped, never as passed. Left out, a hook flag defaults to whether the plugin has
 * that hook, `metrics` to whether it has a metrics schema, and `transcodes` to false.
 */
export interface PluginCapabilities {
  beforeRun?: boolean;
  onPhase?: boolean;
  onAction?: boolean;
  afterRun?: boolean;
  /** afterRun returns metrics on every successful run. */
  metrics?: boolean;
  /** The plugin is meant for runs that re-encode the file: it is also run on a real transcode. */
  transcodes?: boolean;
}

export type ResolvedCapabilities = Required<PluginCapabilities>;

export function resolveCapabilities(plugin: VpoPlugin, declared: PluginCapabilities = {}): ResolvedCapabilities {
  const hooks = Object.fromEntries(HOOK_NAMES.map((h) => [h, declared[h] ?? plugin[h] !== undefined])) as Record<HookName, boolean>;
  return { ...hooks, metrics: declared.metrics ?? plugin.metrics !== undefined, transcodes: declared.transcodes ?? false };
}

/** Where the declaration and the plugin disagree, one line each. */
export function capabilityMismatches(plugin: VpoPlugin, declared: PluginCapabilities = {}): string[] {
  const problems: string[] = [];
  for (const hook of HOOK_NAMES) {
    const has = plugin[hook] !== undefined;
    if (declared[hook] === true && !has) problems.push(`capabilities say ${hook}: true, but the plugin has no ${hook} hook`);
    if (declared[hook] === false && has) problems.push(`capabilities say ${hook}: false, but the plugin has a ${hook} hook`);
  }
  const metrics = declared.metrics ?? plugin.metrics !== undefined;
  if (metrics && !plugin.metrics) problems.push("capabilities say metrics: true, but the plugin declares no metrics schema");
  if (metrics && !plugin.afterRun) problems.push("capabilities say metrics: true, but the plugin has no afterRun hook to return them");
  if (!metrics && plugin.metrics) problems.push("capabilities say metrics: false, but the plugin declares a metrics schema");
  return problems;
}
