import { didYouMean } from "./did_you_mean.ts";
import { VpoError } from "./errors.ts";
import { HOOK_NAMES, type HookName, type HookOrder, type RunFactKey, type VpoPlugin } from "./plugin.ts";
import { RUN_FACT_KEYS } from "./record/mod.ts";

const NAME = /^[a-z][a-z0-9-]*$/;
const KNOWN_KEYS = ["name", "version", "description", "metrics", "facts", ...HOOK_NAMES];
const FACT_KEYS: readonly string[] = RUN_FACT_KEYS;

/** A plugin hook resolved to its handler and order. */
export interface ResolvedHook {
  plugin: VpoPlugin;
  order: HookOrder | null;
  handler: (...args: any[]) => unknown;
}

/** What `vpo plugins list` and `GET /api/plugins` show. */
export interface PluginInfo {
  name: string;
  version: string;
  description: string | null;
  source: string;
  hooks: { name: HookName; order: HookOrder | null }[];
  metrics: string[];
  /** The typed run facts it owns. */
  facts: RunFactKey[];
}

export interface PluginRegistry {
  /** Validates and adds a plugin; throws INVALID_PLUGIN naming the plugin on any problem. */
  register(plugin: unknown, source?: string): VpoPlugin;
  readonly plugins: readonly VpoPlugin[];
  get(name: string): VpoPlugin | undefined;
  /** The handlers of one hook in call order: pre, normal, post; registration order within each. */
  hooks(name: HookName): readonly ResolvedHook[];
  /** The plugin allowed to fill a typed run fact, if any plugin declared it in `facts`. */
  factOwner(fact: string): VpoPlugin | undefined;
  describe(): PluginInfo[];
}

function fail(label: string, problem: string): never {
  throw new VpoError("INVALID_PLUGIN", `Plugin ${label} is invalid: ${problem}`);
}

function resolveHook(plugin: VpoPlugin, hookName: HookName, label: string): ResolvedHook | null {
  const hook = plugin[hookName] as unknown;
  if (hook === undefined) return null;
  if (typeof hook === "function") return { plugin, order: null, handler: hook as ResolvedHook["handler"] };
  if (hook && typeof hook === "object" && "handler" in hook) {
    const { handler, order } = hook as { handler: unknown; order?: unknown };
    if (typeof handler !== "function") fail(label, `hook "${hookName}" has a handler that is not a function`);
    if (order != null && order !== "pre" && order !== "post") {
      fail(label, `hook "${hookName}" has order ${JSON.stringify(order)}; expected "pre", "post" or null`);
    }
    return { plugin, order: (order ?? null) as HookOrder | null, handler: handler as ResolvedHook["handler"] };
  }
  fail(label, `hook "${hookName}" is not a function`);
}

/** Declared metric keys, read off a valibot object schema (`*` stands for open-ended keys). */
export function metricKeys(plugin: Pick<VpoPlugin, "metrics">): string[] {
  const schema = plugin.metrics as { entries?: Record<string, unknown>; rest?: unknown; type?: string } | undefined;
  if (!schema) return [];
  const keys = Object.keys(schema.entries ?? {});
  if (schema.rest || schema.type === "record") keys.push("*");
  return keys;
}

/** Checks `facts`: known fact names, declared in the metrics schema, not owned by another plugin. */
function validateFacts(plugin: Record<string, unknown>, label: string, owners: ReadonlyMap<string, VpoPlugin>): RunFactKey[] {
  const facts = plugin.facts;
  if (facts === undefined) return [];
  if (!Array.isArray(facts) || facts.some((f) => typeof f !== "string")) fail(label, "facts must be a list of run fact names");
  const declared = metricKeys(plugin as Pick<VpoPlugin, "metrics">);
  const seen = new Set<string>();
  for (const fact of facts as string[]) {
    if (!FACT_KEYS.includes(fact)) fail(label, `facts names "${fact}", which is not a run fact${didYouMean(fact, FACT_KEYS)}`);
    if (seen.has(fact)) fail(label, `facts names "${fact}" twice`);
    seen.add(fact);
    const owner = owners.get(fact);
    if (owner) fail(label, `facts names "${fact}", which plugin "${owner.name}" already owns`);
    if (!declared.includes(fact) && !declared.includes("*")) fail(label, `facts names "${fact}", which its metrics schema does not declare`);
  }
  return [...seen] as RunFactKey[];
}

function validate(candidate: unknown, taken: Set<string>, source: string): VpoPlugin {
  // A plugin without a usable name is named by where it was loaded from, when it was.
  const unnamed = source === "built-in" ? "(unnamed)" : `loaded from "${source}"`;
  if (!candidate || typeof candidate !== "object") fail(unnamed, `expected an object, got ${candidate === null ? "null" : typeof candidate}`);
  const plugin = candidate as Record<string, unknown>;
  const label = typeof plugin.name === "string" ? `"${plugin.name}"` : unnamed;
  if (typeof plugin.name !== "string" || !NAME.test(plugin.name)) {
    fail(label, `name must match /^[a-z][a-z0-9-]*$/, got ${JSON.stringify(plugin.name)}`);
  }
  if (taken.has(plugin.name)) fail(label, `the name "${plugin.name}" is already registered`);
  if (typeof plugin.version !== "string" || plugin.version.trim() === "") fail(label, "version is missing");
  const metrics = plugin.metrics as { kind?: unknown } | undefined;
  if (metrics !== undefined && (typeof metrics !== "object" || metrics === null || metrics.kind !== "schema")) {
    fail(label, "metrics must be a valibot schema");
  }
  for (const key of Object.keys(plugin)) {
    if (!KNOWN_KEYS.includes(key)) fail(label, `unknown property "${key}"${didYouMean(key, KNOWN_KEYS)}`);
  }
  return plugin as unknown as VpoPlugin;
}

/** Creates an empty plugin registry. */
export function createRegistry(): PluginRegistry {
  const plugins: VpoPlugin[] = [];
  const sources = new Map<VpoPlugin, string>();
  const resolved = new Map<VpoPlugin, Partial<Record<HookName, ResolvedHook>>>();
  const owned = new Map<VpoPlugin, RunFactKey[]>();
  const owners = new Map<string, VpoPlugin>();
  // Call order per hook, computed on first use after a registration: hooks run per phase and action.
  const ordered = new Map<HookName, readonly ResolvedHook[]>();
  const rank = (order: HookOrder | null) => (order === "pre" ? 0 : order === "post" ? 2 : 1);

  return {
    register(candidate, source = "built-in") {
      const plugin = validate(candidate, new Set(plugins.map((p) => p.name)), source);
      const label = `"${plugin.name}"`;
      const facts = validateFacts(plugin as unknown as Record<string, unknown>, label, owners);
      const hooks: Partial<Record<HookName, ResolvedHook>> = {};
      for (const name of HOOK_NAMES) {
        const hook = resolveHook(plugin, name, label);
        if (hook) hooks[name] = hook;
      }
      plugins.push(plugin);
      sources.set(plugin, source);
      resolved.set(plugin, hooks);
      // Ownership is read once, here: changing `facts` on the object later changes nothing.
      owned.set(plugin, facts);
      for (const fact of facts) owners.set(fact, plugin);
      ordered.clear();
      return plugin;
    },
    get plugins() {
      return plugins;
    },
    get(name) {
      return plugins.find((p) => p.name === name);
    },
    hooks(name) {
      let list = ordered.get(name);
      if (!list) {
        // Array.prototype.sort is stable, so registration order holds within each group.
        list = Object.freeze(plugins.flatMap((p) => resolved.get(p)?.[name] ?? []).sort((a, b) => rank(a.order) - rank(b.order)));
        ordered.set(name, list);
      }
      return list;
    },
    factOwner(fact) {
      return owners.get(fact);
    },
    describe() {
      return plugins.map((p) => ({
        name: p.name,
        version: p.version,
        description: p.description ?? null,
        source: sources.get(p) ?? "built-in",
        hooks: HOOK_NAMES.filter((h) => resolved.get(p)?.[h]).map((h) => ({ name: h, order: resolved.get(p)![h]!.order })),
        metrics: metricKeys(p),
        facts: [...(owned.get(p) ?? [])],
      }));
    },
  };
}
