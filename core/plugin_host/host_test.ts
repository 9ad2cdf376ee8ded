/**
 * A plugin in a worker behaves like one in-process: one context object per run, probe through
 * the runner's cache, its declared shape in the registry. Real media, real ffprobe.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createProbe } from "../../engine/probe.ts";
import { resolveTools } from "../../engine/tools.ts";
import { rewriteInPlace } from "../../tests/fixtures/ffmpeg.ts";
import { KEEP_FIRST_AUDIO, scratch } from "../../tests/fixtures/plugin_run.ts";
import { createCapture, createRegistry, loadPluginModule, type ProbeFn, runCapture, type VpoPlugin } from "../mod.ts";

const tmp = await scratch("plugin-host");
afterAll(tmp.cleanup);
const CORE = JSON.stringify(join(import.meta.dir, "../mod.ts"));
const VALIBOT = JSON.stringify(Bun.resolveSync("valibot", import.meta.dir));
let n = 0;

async function hosted(body: string): Promise<VpoPlugin> {
  const path = join(tmp.dir, `plugin-${n++}.ts`);
  writeFileSync(path, `import * as v from ${VALIBOT};\nimport { definePlugin, type RunContext } from ${CORE};\n${body}\n`);
  return loadPluginModule(path);
}

function captureWith(plugin: VpoPlugin, options: { probe?: ProbeFn; hookTimeoutMs?: number } = {}) {
  const registry = createRegistry();
  registry.register(plugin);
  return createCapture({ registry, probe: options.probe ?? createProbe(resolveTools()), hookTimeoutMs: options.hookTimeoutMs });
}

describe("a plugin in a worker", () => {
  test("gets one frozen context object per run across its hooks, so WeakMap state works and concurrent runs stay apart", async () => {
    const plugin = await hosted(`const seen = new WeakMap<RunContext, string[]>();
export default definePlugin({
  name: "per-run", version: "1.0.0",
  metrics: v.object({ log: v.string(), frozen: v.boolean(), same_phase: v.boolean(), outcome: v.string() }),
  beforeRun(run) { seen.set(run, [run.policyName]); },
  onAction(run, action) { seen.get(run)!.push(action.type + "@" + run.actions.length); },
  onPhase(run, phase) { seen.get(run)!.push(phase.name); (seen as any).samePhase = phase === run.phases.at(-1); },
  afterRun(run) {
    return {
      log: seen.get(run)!.join(","),
      frozen: Object.isFrozen(run) && Object.isFrozen(run.actions[0]) && !Reflect.set(run.phases, "length", 0) && run.phases.length === 2 - Number(run.policyName === "b"),
      same_phase: (seen as any).samePhase === true,
      outcome: run.outcome!.status + ":" + run.intent.videoTargetCodec,
    };
  },
});`);
    const capture = captureWith(plugin);
    const one = (policyName: string, phases: string[]) =>
      runCapture(capture, { filePath: `/m/${policyName}.mkv`, policyName, intent: { videoTargetCodec: "hevc" } }, async (run) => {
        await run.action({ type: "keep" });
        for (const name of phases) {
          await Bun.sleep(5);
          await run.startPhase(name).end();
        }
      });
    const [a, b] = await Promise.all([one("a", ["filter", "compress"]), one("b", ["remux"])]);
    expect(a.plugin_errors).toEqual([]);
    expect(a.plugin_metrics["per-run"]).toEqual({ log: "a,keep@1,filter,compress", frozen: true, same_phase: true, outcome: "success:hevc" });
    expect(b.plugin_metrics["per-run"]).toEqual({ log: "b,keep@1,remux", frozen: true, same_phase: true, outcome: "success:hevc" });
  });

  test("run.probe() is answered by the runner's cache: once per file state, and errors keep their code", async () => {
    const file = await tmp.copy("multi");
    const real = createProbe(resolveTools());
    const probed: string[] = [];
    const probe: ProbeFn = (path) => (probed.push(path), real(path));
    const plugin = await hosted(`const before = new WeakMap<RunContext, number>();
export default definePlugin({
  name: "prober", version: "1.0.0",
  metrics: v.object({ before: v.number(), again: v.number(), after: v.number(), missing: v.string() }),
  async beforeRun(run) {
    before.set(run, (await run.probe()).streams.filter((s) => s.type === "audio").length);
  },
  async afterRun(run) {
    const again = (await run.probe()).streams.length;
    const missing = await run.probe(run.filePath + ".gone").then(() => "found", (e) => e.code);
    return { before: before.get(run)!, again, after: (await run.probe()).streams.filter((s) => s.type === "audio").length, missing };
  },
});`);
    // Probed once before (beforeRun), once after the rewrite (afterRun twice, cached), once for the missing path.
    const record = await runCapture(captureWith(plugin, { probe }), { filePath: file, policyName: "p" }, async () => {
      await rewriteInPlace(file, KEEP_FIRST_AUDIO);
    });
    expect(record.plugin_errors).toEqual([]);
    expect(record.plugin_metrics.prober).toMatchObject({ before: 3, after: 1, missing: "FILE_NOT_FOUND" });
    expect(probed).toEqual([file, file, `${file}.gone`]);
  });

  test("is registered with its hooks, orders, metric keys and facts as declared", async () => {
    const plugin = await hosted(`export default definePlugin({
  name: "shape", version: "2.1.0", description: "what it is",
  metrics: v.object({ words: v.number(), duration_seconds: v.number() }),
  facts: ["duration_seconds"],
  beforeRun: { order: "post", handler() {} },
  afterRun: { order: "pre", handler: () => ({ words: 1, duration_seconds: 2 }) },
});`);
    const registry = createRegistry();
    registry.register(plugin, "./shape.ts");
    expect(registry.describe()).toEqual([
      {
        name: "shape",
        version: "2.1.0",
        description: "what it is",
        source: "./shape.ts",
        hooks: [{ name: "beforeRun", order: "post" }, { name: "afterRun", order: "pre" }],
        metrics: ["words", "duration_seconds"],
        facts: ["duration_seconds"],
      },
    ]);
    const record = await runCapture(captureWith(plugin), { filePath: "/m/a.mkv", policyName: "p" }, async () => {});
    expect(record).toMatchObject({ duration_seconds: 2, plugin_metrics: { shape: { words: 1 } }, plugin_errors: [] });
  });

  test("output its schema refuses, or that cannot leave the worker, is recorded and not stored", async () => {
    const liar = await hosted(`export default definePlugin({ name: "liar", version: "1", metrics: v.object({ words: v.number() }), afterRun: () => ({ words: "many" }) as never });`);
    const record = await runCapture(captureWith(liar), { filePath: "/m/a.mkv", policyName: "p" }, async () => {});
    expect(record.plugin_errors.map((e) => [e.code, e.message])).toEqual([["PLUGIN_INVALID_OUTPUT", 'Plugin "liar" failed in hook "afterRun": metrics do not match its schema: words: Invalid type: Expected number but received "many"']]);
    const fn = await hosted(`export default definePlugin({ name: "fn", version: "1", metrics: v.object({ f: v.any() }), afterRun: () => ({ f: () => 1 }) });`);
    const other = await runCapture(captureWith(fn), { filePath: "/m/a.mkv", policyName: "p" }, async () => {});
    expect(other.plugin_errors.map((e) => e.code)).toEqual(["PLUGIN_INVALID_OUTPUT"]);
    expect(other.plugin_metrics).toEqual({});
  });

  test("a runaway hook of one run stops the worker: another run's hook in flight there is recorded as stopped", async () => {
    const plugin = await hosted(`export default definePlugin({
  name: "shared", version: "1", metrics: v.object({ ok: v.boolean() }),
  beforeRun(run) { if (run.policyName === "spin") for (;;) {} },
  afterRun: () => ({ ok: true }),
});`);
    const capture = captureWith(plugin, { hookTimeoutMs: 300 });
    const [spun, bystander] = await Promise.all(["spin", "calm"].map((policyName) => runCapture(capture, { filePath: "/m/a.mkv", policyName }, async () => {})));
    expect(spun!.plugin_errors.map((e) => [e.hook, e.code])).toEqual([["beforeRun", "PLUGIN_TIMEOUT"]]);
    expect(bystander!.plugin_errors.map((e) => [e.hook, e.code])).toEqual([["beforeRun", "PLUGIN_STOPPED"]]);
    expect(bystander!.plugin_errors[0]!.message).toContain("a hook of another run exceeded its time budget");
    // Neither run records output computed on state the worker lost.
    expect([spun!.plugin_metrics, bystander!.plugin_metrics]).toEqual([{}, {}]);
    const later = await runCapture(capture, { filePath: "/m/a.mkv", policyName: "calm" }, async () => {});
    expect(later.plugin_metrics.shared).toEqual({ ok: true });
  });
});
