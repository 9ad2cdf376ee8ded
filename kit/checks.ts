/**
 * The checks of vpo's plugin contract, each a function that throws a `KitFailure` saying what the
 * plugin did wrong. describePlugin registers them as bun:test tests; kit/checks_test.ts shows
 * that each one fails for a plugin that breaks it.
 */
import {
  createRegistry, getMetricAggregates, HOOK_NAMES, type HookName, loadPluginModule, type PluginError, type RunRecord,
  VpoError, type VpoPlugin,
} from "../core/mod.ts";
import { capabilityMismatches, type PluginCapabilities, type ResolvedCapabilities } from "./capabilities.ts";
import type { KitContext, KitRun } from "./context.ts";
import { KIT_FIXTURES, type KitFixture } from "./fixtures.ts";

export class KitFailure extends Error {
  override name = "KitFailure";
}

function fail(message: string): never {
  throw new KitFailure(message);
}

const FIXTURES = Object.keys(KIT_FIXTURES) as KitFixture[];
const ownErrors = (record: Pick<RunRecord, "plugin_errors">, plugin: VpoPlugin): PluginError[] => record.plugin_errors.filter((e) => e.plugin === plugin.name);

function noErrors(run: KitRun, plugin: VpoPlugin, what: string): void {
  const errors = ownErrors(run.record, plugin);
  if (errors.length > 0) fail(`${what}, the plugin failed: ${errors.map((e) => `[${e.code}] ${e.message}`).join("; ")}`);
}

/** Name, version and description as vpo's registry and `vpo plugins list` need them. */
export function checkIdentity(plugin: VpoPlugin): void {
  try {
    createRegistry().register(plugin);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (!/^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(plugin.version)) fail(`version ${JSON.stringify(plugin.version)} is not a semantic version such as "1.0.0"`);
  if (plugin.description !== undefined && (typeof plugin.description !== "string" || plugin.description.trim() === "" || /\n/.test(plugin.description))) {
    fail("description, when given, must be one line of text");
  }
}

/** The capabilities the author declared match the plugin's hooks and schema. */
export function checkCapabilities(plugin: VpoPlugin, declared: PluginCapabilities | undefined): void {
  const problems = capabilityMismatches(plugin, declared);
  if (problems.length > 0) fail(problems.join("; "));
}

/** The plugin with every hook counting its calls, order kept. */
export function observed(plugin: VpoPlugin): { plugin: VpoPlugin; calls: Record<HookName, number> } {
  const calls = Object.fromEntries(HOOK_NAMES.map((h) => [h, 0])) as Record<HookName, number>;
  const copy: Record<string, unknown> = { ...plugin };
  for (const name of HOOK_NAMES) {
    const hook = plugin[name] as unknown;
    if (hook === undefined) continue;
    const counted = (handler: (...args: unknown[]) => unknown) => (...args: unknown[]) => {
      calls[name]++;
      return handler(...args);
    };
    copy[name] = typeof hook === "function"
      ? counted(hook as never)
      : { ...(hook as object), handler: counted((hook as { handler: (...args: unknown[]) => unknown }).handler) };
  }
  return { plugin: copy as unknown as VpoPlugin, calls };
}

/** A successful remux of each fixture with the plugin's hooks counted (memoized per context). */
const happyRuns = new WeakMap<KitContext, Promise<{ fixture: KitFixture; run: KitRun; calls: Record<HookName, number> }[]>>();
export function happyPath(ctx: KitContext) {
  let runs = happyRuns.get(ctx);
  if (!runs) {
    runs = (async () => {
      const out = [];
      for (const fixture of FIXTURES) {
        const { plugin, calls } = observed(ctx.plugin);
        out.push({ fixture, run: await ctx.run(fixture, { plugin }), calls });
      }
      return out;
    })();
    happyRuns.set(ctx, runs);
  }
  return runs;
}

/** `hook` is called on every fixture during a real successful run, without failing. */
export async function checkHookRuns(ctx: KitContext, hook: HookName): Promise<void> {
  for (const { fixture, run, calls } of await happyPath(ctx)) {
    if (!run.record.success) fail(`the run on the "${fixture}" fixture failed (${run.record.error_message}); the kit cannot check the plugin`);
    if (calls[hook] === 0) fail(`${hook} was never called on the "${fixture}" fixture`);
    const errors = ownErrors(run.record, ctx.plugin).filter((e) => e.hook === hook);
    if (errors.length > 0) fail(`on the "${fixture}" fixture, ${hook} failed: ${errors.map((e) => `[${e.code}] ${e.message}`).join("; ")}`);
  }
}

/**
 * On every fixture, afterRun returns metrics its schema accepts and vpo's record validation
 * accepts (a value it refuses fails the run's recording in ctx.run); they are stored, read back
 * unchanged (booleans as 1/0) and aggregated by key.
 */
export async function checkMetrics(ctx: KitContext): Promise<void> {
  const keys = new Set<string>();
  for (const { fixture, run } of await happyPath(ctx)) {
    const where = `on the "${fixture}" fixture`;
    noErrors(run, ctx.plugin, where);
    const own = run.record.plugin_metrics[ctx.plugin.name];
    if (!own || Object.keys(own).length === 0) fail(`${where}, afterRun returned no metrics on a successful run`);
    const expected = Object.fromEntries(Object.entries(own).map(([k, x]) => [k, typeof x === "boolean" ? Number(x) : x]));
    const stored = run.stored.plugin_metrics[ctx.plugin.name] ?? {};
    if (!Bun.deepEquals(stored, expected)) fail(`${where}, the metrics read back from the database differ: recorded ${JSON.stringify(expected)}, read ${JSON.stringify(stored)}`);
    for (const fact of ctx.plugin.facts ?? []) {
      const value = (run.record as unknown as Record<string, unknown>)[fact];
      const back = (run.stored as unknown as Record<string, unknown>)[fact];
      if (value !== undefined && value !== null && back !== value && !(typeof value === "boolean" && back === value)) {
        fail(`${where}, run fact ${fact} was recorded as ${JSON.stringify(value)} but read back as ${JSON.stringify(back)}`);
      }
    }
    for (const key of Object.keys(own)) keys.add(key);
  }
  const aggregated = (await getMetricAggregates(ctx.db, { plugin: ctx.plugin.name })).map((a) => a.key).sort();
  const missing = [...keys].filter((k) => !aggregated.includes(k));
  if (missing.length > 0) fail(`vpo stats metrics does not aggregate ${missing.join(", ")}`);
}

/** A run whose command fails is recorded as failed; the plugin's hooks neither throw nor hang on it. */
export async function checkFailedRun(ctx: KitContext): Promise<void> {
  const run = await ctx.run(FIXTURES[0]!, { command: "fail" });
  if (run.record.success || run.stored.success) fail("the kit's failing command did not fail the run");
  if (run.stored.id !== run.record.id) fail("the failed run was not recorded");
  const timeouts = ownErrors(run.record, ctx.plugin).filter((e) => e.code === "PLUGIN_TIMEOUT");
  if (timeouts.length > 0) fail(`on a failed run, ${timeouts.map((e) => e.hook).join(", ")} hung past the ${ctx.hookTimeoutMs} ms budget (the run was still recorded)`);
  noErrors(run, ctx.plugin, "on a failed run (run.outcome.success is false)");
}

/** A run that re-encodes the video: the plugin copes with a file whose codec changed. */
export async function checkTranscode(ctx: KitContext, capabilities: ResolvedCapabilities): Promise<void> {
  const run = await ctx.run(FIXTURES[0]!, { command: "transcode" });
  if (!run.record.success) fail(`the kit's transcode failed (${run.record.error_message}); the kit cannot check the plugin`);
  noErrors(run, ctx.plugin, "on a run that transcodes the video");
  if (capabilities.metrics && !run.stored.plugin_metrics[ctx.plugin.name]) fail("on a run that transcodes the video, afterRun returned no metrics");
}

/** Timing-like values legitimately differ between runs: compare the rest. */
const stable = (m: Record<string, unknown> = {}) => Object.fromEntries(Object.entries(m).filter(([k]) => !/time|duration|fps|_ms$|seconds|elapsed/.test(k)));

/** A remux at the media's own pace (-re): a run lasts as long as its 1 s fixture, so runs side by side overlap. */
const PACED_REMUX = ["ffmpeg", "-re", "-i", "{input}", "-map", "0", "-c", "copy", "{output}"];

/** Runs in flight at once give each the metrics it gives alone: per-run state lives per run. */
export async function checkConcurrentRuns(ctx: KitContext): Promise<void> {
  const sequential: KitRun[] = [];
  for (const fixture of FIXTURES) sequential.push(await ctx.run(fixture));
  const concurrent = await Promise.all(FIXTURES.map((f) => ctx.run(f, { command: PACED_REMUX })));
  FIXTURES.forEach((fixture, i) => {
    const alone = stable(sequential[i]!.record.plugin_metrics[ctx.plugin.name]);
    const together = stable(concurrent[i]!.record.plugin_metrics[ctx.plugin.name]);
    if (!Bun.deepEquals(alone, together)) {
      fail(`on the "${fixture}" fixture, a run alone gave ${JSON.stringify(alone)} but beside another run ${JSON.stringify(together)}: keep per-run state in a WeakMap keyed by run`);
    }
  });
}

/** Loaded from its module in a worker, as vpo loads third-party plugins, it records what it records in-process. */
export async function checkInWorker(ctx: KitContext, module: string): Promise<void> {
  let hosted: VpoPlugin;
  try {
    hosted = await loadPluginModule(module);
  } catch (error) {
    fail(`vpo cannot load ${module}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (hosted.name !== ctx.plugin.name) fail(`${module} loads a plugin named "${hosted.name}", not "${ctx.plugin.name}"`);
  for (const fixture of FIXTURES) {
    const local = await ctx.run(fixture);
    const isolated = await ctx.run(fixture, { plugin: hosted });
    noErrors(isolated, hosted, `loaded in a worker, on the "${fixture}" fixture`);
    const [a, b] = [stable(local.record.plugin_metrics[ctx.plugin.name]), stable(isolated.record.plugin_metrics[ctx.plugin.name])];
    if (!Bun.deepEquals(a, b)) fail(`on the "${fixture}" fixture, in-process it records ${JSON.stringify(a)} but in a worker ${JSON.stringify(b)}`);
  }
}

export interface OptionsSpec<O = Record<string, unknown>> {
  /** The plugin's factory, as a module default-exports it. */
  factory: (options: O) => VpoPlugin;
  /** Options it must accept (default: `{}`). */
  valid?: O[];
  /** Options it must refuse with an INVALID_CONFIG error naming the plugin. */
  invalid: unknown[];
}

/** The factory accepts good options and refuses bad ones with an INVALID_CONFIG error naming the plugin. */
export function checkOptions(name: string, spec: OptionsSpec<any>): void {
  for (const options of spec.valid ?? [{}]) {
    let made: VpoPlugin;
    try {
      made = spec.factory(options);
    } catch (error) {
      fail(`the factory refused valid options ${JSON.stringify(options)}: ${error instanceof Error ? error.message : String(error)}`);
    }
    checkIdentity(made);
  }
  if (spec.invalid.length === 0) fail("options.invalid is empty: give at least one set of options the plugin must refuse");
  for (const options of spec.invalid) {
    let made: unknown;
    try {
      made = spec.factory(options as never);
    } catch (error) {
      if (!(error instanceof VpoError) || error.code !== "INVALID_CONFIG") {
        fail(`invalid options ${JSON.stringify(options)} were refused, but not with a VpoError INVALID_CONFIG (got ${error instanceof Error ? error.message : String(error)})`);
      }
      if (!error.message.includes(name)) fail(`the error for invalid options ${JSON.stringify(options)} does not name the plugin: "${error.message}"`);
      continue;
    }
    fail(`invalid options ${JSON.stringify(options)} were accepted (the factory returned plugin "${(made as VpoPlugin)?.name}")`);
  }
}
