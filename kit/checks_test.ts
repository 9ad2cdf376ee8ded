/**
 * Every check of the kit fails for a plugin that breaks the rule it checks, with a message that
 * says what is wrong. (The built-ins pass the whole kit: plugins/mod_test.ts.)
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as v from "valibot";
import { definePlugin, type MediaInfo, provideModules, type RunContext, VpoError, type VpoPlugin } from "../core/mod.ts";
import {
  checkCapabilities, checkConcurrentRuns, checkFailedRun, checkHookRuns, checkIdentity, checkInWorker, checkMetrics, checkOptions, checkTranscode,
} from "./checks.ts";
import { resolveCapabilities } from "./capabilities.ts";
import { type OpenedKit, openKit } from "./context.ts";

const counted = v.object({ n: v.number() });
/** A plugin that keeps every rule; each broken one below breaks exactly one. */
const good = () => definePlugin({ name: "good", version: "1.0.0", metrics: counted, onAction() {}, afterRun: () => ({ n: 1 }) });

const opened: OpenedKit[] = [];
/** A kit context for `plugin`, closed after the file. */
async function kitFor(plugin: VpoPlugin, hookTimeoutMs = 5_000) {
  const kit = await openKit(plugin, hookTimeoutMs);
  opened.push(kit);
  return kit;
}
afterAll(async () => {
  for (const kit of opened) await kit.close();
});

const videoCodec = (info: MediaInfo) => info.streams.find((s) => s.type === "video")?.codec ?? null;

describe("each check passes a plugin that keeps its rule", () => {
  test("identity, capabilities, hooks, metrics, failed run, transcode, side-by-side runs", async () => {
    const plugin = good();
    const kit = await kitFor(plugin);
    checkIdentity(plugin);
    checkCapabilities(plugin, { onAction: true, afterRun: true, metrics: true, transcodes: true });
    await checkHookRuns(kit, "onAction");
    await checkHookRuns(kit, "afterRun");
    await checkMetrics(kit);
    await checkFailedRun(kit);
    await checkTranscode(kit, resolveCapabilities(plugin, { transcodes: true }));
    await checkConcurrentRuns(kit);
  });
});

describe("each check fails a plugin that breaks its rule", () => {
  test("identity: a name vpo refuses, a version that is not semantic, a two-line description", () => {
    expect(() => checkIdentity({ ...good(), name: "Good Plugin" })).toThrow('name must match /^[a-z][a-z0-9-]*$/, got "Good Plugin"');
    expect(() => checkIdentity({ ...good(), version: "latest" })).toThrow('version "latest" is not a semantic version');
    expect(() => checkIdentity({ ...good(), description: "one\ntwo" })).toThrow("description, when given, must be one line of text");
  });

  test("capabilities: a hook declared but missing, a hook present but declared absent, metrics without a schema", () => {
    expect(() => checkCapabilities(good(), { onPhase: true })).toThrow("capabilities say onPhase: true, but the plugin has no onPhase hook");
    expect(() => checkCapabilities(good(), { onAction: false })).toThrow("capabilities say onAction: false, but the plugin has a onAction hook");
    const { metrics: _, ...schemaless } = good();
    expect(() => checkCapabilities(schemaless, { metrics: true })).toThrow("capabilities say metrics: true, but the plugin declares no metrics schema");
  });

  test("hooks: a hook that throws on real media", async () => {
    const kit = await kitFor({ ...good(), onAction: () => { throw new Error("no such track"); } });
    await expect(checkHookRuns(kit, "onAction")).rejects.toThrow('on the "av" fixture, onAction failed: [PLUGIN_HOOK_FAILED] Plugin "good" failed in hook "onAction": no such track');
    await checkHookRuns(kit, "afterRun"); // the other hooks still pass
  });

  test("metrics: none on a successful run", async () => {
    const kit = await kitFor({ ...good(), afterRun: () => undefined });
    await expect(checkMetrics(kit)).rejects.toThrow('on the "av" fixture, afterRun returned no metrics on a successful run');
  });

  test("metrics: output its own schema refuses", async () => {
    const kit = await kitFor({ ...good(), afterRun: () => ({ n: "one" }) } as VpoPlugin);
    await expect(checkMetrics(kit)).rejects.toThrow("[PLUGIN_INVALID_OUTPUT]");
  });

  test("metrics: a value beyond what vpo's run record accepts", async () => {
    const kit = await kitFor({ ...good(), afterRun: () => ({ n: 2 ** 60 }) });
    // vpo refuses the metric alone (the run is still recorded); the kit reports the refusal.
    await expect(checkMetrics(kit)).rejects.toThrow("[PLUGIN_INVALID_OUTPUT]");
  });

  test("failed run: afterRun that assumes success throws", async () => {
    const kit = await kitFor({ ...good(), afterRun: (run) => ({ n: run.outcome!.success ? 1 : (null as unknown as { x: number }).x }) });
    await checkMetrics(kit); // fine while runs succeed
    await expect(checkFailedRun(kit)).rejects.toThrow('on a failed run (run.outcome.success is false), the plugin failed: [PLUGIN_HOOK_FAILED] Plugin "good" failed in hook "afterRun"');
  });

  test("failed run: afterRun that waits forever when the run failed", async () => {
    const kit = await kitFor({ ...good(), afterRun: (run) => (run.outcome!.success ? { n: 1 } : new Promise<never>(() => {})) }, 300);
    await expect(checkFailedRun(kit)).rejects.toThrow("on a failed run, afterRun hung past the 300 ms budget (the run was still recorded)");
  });

  test("transcode: a plugin that assumes the codec never changes", async () => {
    const seen = new WeakMap<RunContext, string | null>();
    const plugin = definePlugin({
      ...good(),
      async beforeRun(run) {
        seen.set(run, videoCodec(await run.probe()));
      },
      async afterRun(run) {
        if (videoCodec(await run.probe()) !== seen.get(run)) throw new Error("the video codec changed under me");
        return { n: 1 };
      },
    });
    const kit = await kitFor(plugin);
    await checkMetrics(kit); // a remux keeps the codec
    await expect(checkTranscode(kit, resolveCapabilities(plugin, { transcodes: true }))).rejects.toThrow("on a run that transcodes the video, the plugin failed: [PLUGIN_HOOK_FAILED]");
  });

  test("side-by-side runs: per-run state in a module global", async () => {
    let active = 0;
    const kit = await kitFor({ ...good(), beforeRun: () => void active++, afterRun: () => ({ n: active-- }) });
    await expect(checkConcurrentRuns(kit)).rejects.toThrow('a run alone gave {"n":1} but beside another run {"n":2}');
  });

  describe("in a worker", () => {
    const dir = mkdtempSync(join(tmpdir(), "vpo-kit-worker-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    beforeAll(() => {
      (globalThis as { vpoKitMainThread?: boolean }).vpoKitMainThread = true;
    });

    test("a plugin that relies on the main thread's state records differently there", async () => {
      const file = join(dir, "main-thread.ts");
      writeFileSync(file, `import * as v from "valibot";
export default { name: "main-thread", version: "1.0.0", metrics: v.object({ main: v.boolean() }), afterRun: () => ({ main: globalThis.vpoKitMainThread === true }) };
`);
      provideModules(); // its valibot is vpo's, as when vpo loads it
      const plugin = (await import(file)).default as VpoPlugin;
      const kit = await kitFor(plugin);
      await checkMetrics(kit);
      await expect(checkInWorker(kit, file)).rejects.toThrow('on the "av" fixture, in-process it records {"main":true} but in a worker {"main":false}');
    });

    test("a module that is not the plugin under test", async () => {
      const file = join(dir, "other.ts");
      writeFileSync(file, `export default { name: "other", version: "1.0.0" };\n`);
      const kit = await kitFor(good());
      await expect(checkInWorker(kit, file)).rejects.toThrow(`${file} loads a plugin named "other", not "good"`);
    });
  });

  test("options: a factory that accepts anything, or refuses without INVALID_CONFIG", () => {
    const lax = (_options: { full?: boolean }) => good();
    expect(() => checkOptions("good", { factory: lax, invalid: [{ ful: true }] })).toThrow('invalid options {"ful":true} were accepted');
    const rude = (options: { full?: boolean }) => {
      if (Object.keys(options).length) throw new Error("nope");
      return good();
    };
    expect(() => checkOptions("good", { factory: rude, invalid: [{ ful: true }] })).toThrow("were refused, but not with a VpoError INVALID_CONFIG (got nope)");
    const anonymous = (options: { full?: boolean }) => {
      if (Object.keys(options).length) throw new VpoError("INVALID_CONFIG", "unknown key");
      return good();
    };
    expect(() => checkOptions("good", { factory: anonymous, invalid: [{ ful: true }] })).toThrow('does not name the plugin: "unknown key"');
    expect(() => checkOptions("good", { factory: lax, invalid: [] })).toThrow("options.invalid is empty");
  });
});
