/**
 * `describePlugin`: registers bun:test tests that check a plugin against vpo's plugin contract,
 * modelled on unstorage's `testDriver` — capability flags skip what the plugin does not do (a
 * skipped check shows as skipped, not passed), `additionalTests(ctx)` adds the author's own tests
 * with the kit's context, and the kit makes its own media with the ffmpeg vpo uses.
 */
import { afterAll, beforeAll, describe, test } from "bun:test";
import { HOOK_NAMES, type VpoPlugin } from "../core/mod.ts";
import { type PluginCapabilities, resolveCapabilities } from "./capabilities.ts";
import {
  checkCapabilities, checkConcurrentRuns, checkFailedRun, checkHookRuns, checkIdentity, checkInWorker, checkMetrics, checkOptions, checkTranscode,
  type OptionsSpec,
} from "./checks.ts";
import { type KitContext, type OpenedKit, openKit } from "./context.ts";

export interface DescribePluginOptions {
  /** What the plugin does; see PluginCapabilities. */
  capabilities?: PluginCapabilities;
  /**
   * The plugin's module file (absolute path or file URL). Given, the plugin is also loaded the way
   * vpo loads a third-party plugin — in its own worker — and must record the same there.
   */
  module?: string | URL;
  /** The plugin's factory and options it must accept and refuse. */
  options?: OptionsSpec<any>;
  /** Time budget of one hook call during the checks, ms (default 10 000). */
  hookTimeoutMs?: number;
  /** The author's own tests, registered inside the same describe block with the kit's context. */
  additionalTests?: (ctx: KitContext) => void;
}

/** Registers the kit's tests for `plugin` in a `describe` block named after it. */
export function describePlugin(plugin: VpoPlugin, options: DescribePluginOptions = {}): void {
  const capabilities = resolveCapabilities(plugin, options.capabilities);
  const module = options.module instanceof URL ? Bun.fileURLToPath(options.module) : options.module;
  // Filled in beforeAll, as unstorage's testDriver does: tests read it when they run.
  const ctx = {} as KitContext;
  let opened: OpenedKit | null = null;

  describe(`vpo plugin "${plugin.name}"`, () => {
    beforeAll(async () => {
      opened = await openKit(plugin, options.hookTimeoutMs ?? 10_000);
      Object.assign(ctx, opened);
    });
    afterAll(async () => {
      await opened?.close();
    });

    // A check for a capability the plugin does not have is not registered (rather than skipped):
    // a skip means something that should run here could not, and CI treats it as a failure.
    const when = (applies: boolean): typeof test | ((name: string, fn: () => unknown) => void) => (applies ? test : () => {});

    test("has a valid name, version and description", () => checkIdentity(plugin));
    test("declares the capabilities it has", () => checkCapabilities(plugin, options.capabilities));
    for (const hook of HOOK_NAMES) {
      when(capabilities[hook])(`runs its ${hook} hook on real media without failing`, () => checkHookRuns(ctx, hook));
    }
    when(capabilities.metrics)("reports metrics that vpo records and reads back unchanged", () => checkMetrics(ctx));
    test("keeps a failed run recorded: its hooks neither throw nor hang", () => checkFailedRun(ctx));
    when(capabilities.transcodes)("copes with a run that transcodes the file", () => checkTranscode(ctx, capabilities));
    when(capabilities.metrics)("keeps per-run state per run: runs side by side give what each gives alone", () => checkConcurrentRuns(ctx));
    when(module !== undefined)("records the same loaded in a worker, as vpo loads it", () => checkInWorker(ctx, module!));
    when(options.options !== undefined)("validates its options", () => checkOptions(plugin.name, options.options!));

    options.additionalTests?.(ctx);
  });
}
