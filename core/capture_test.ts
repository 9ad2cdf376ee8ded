import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { createCapture, createRegistry, definePlugin, runCapture, type HookOrder, type VpoPlugin } from "./mod.ts";

const noProbe = async () => {
  throw new Error("these tests do not read media");
};

function captureWith(plugins: VpoPlugin[], hookTimeoutMs?: number) {
  const registry = createRegistry();
  for (const p of plugins) registry.register(p);
  return createCapture({ registry, probe: noProbe, hookTimeoutMs });
}

const begin = { filePath: "/library/a.mkv", policyName: "strip", phasesTotal: 1 };

describe("capture runner hook order", () => {
  test("runs pre, then normal, then post hooks, each group in registration order, for every hook", async () => {
    // Like Rollup's enforce-sequential-plugin-order: every order combination, asserting the exact call log.
    const log: string[] = [];
    const orders: (HookOrder | null)[] = ["pre", null, "post"];
    const plugins: VpoPlugin[] = [];
    let n = 0;
    for (const first of orders) {
      for (const second of orders) {
        const name = `p${n++}`;
        // Alternate which hooks get which order so orders differ between hooks of one plugin.
        const hook = (hookName: string, order: HookOrder | null) => ({
          order,
          handler: () => void log.push(`${hookName}:${name}:${order ?? "normal"}`),
        });
        plugins.push({
          name,
          version: "1.0.0",
          beforeRun: hook("beforeRun", first),
          onPhase: hook("onPhase", second),
          onAction: hook("onAction", first),
          afterRun: hook("afterRun", second),
        });
      }
    }
    const capture = captureWith(plugins);
    await runCapture(capture, begin, async (run) => {
      await run.action({ type: "remove", trackType: "audio", trackIndex: 2 });
      await run.startPhase("filter").end();
    });
    // plugins in registration order with (first, second): p0 pre,pre p1 pre,normal p2 pre,post
    // p3 normal,pre p4 normal,normal p5 normal,post p6 post,pre p7 post,normal p8 post,post
    const byFirst = ["p0:pre", "p1:pre", "p2:pre", "p3:normal", "p4:normal", "p5:normal", "p6:post", "p7:post", "p8:post"];
    const bySecond = ["p0:pre", "p3:pre", "p6:pre", "p1:normal", "p4:normal", "p7:normal", "p2:post", "p5:post", "p8:post"];
    expect(log).toEqual([
      ...byFirst.map((s) => `beforeRun:${s}`),
      ...byFirst.map((s) => `onAction:${s}`),
      ...bySecond.map((s) => `onPhase:${s}`),
      ...bySecond.map((s) => `afterRun:${s}`),
    ]);
  });
});

describe("capture runner failures", () => {
  test("a throwing hook is recorded as a plugin failure and the run and other plugins' data are kept", async () => {
    const capture = captureWith([
      { name: "broken", version: "1", beforeRun() { throw new Error("disk on fire"); } },
      definePlugin({ name: "ok", version: "1", metrics: v.object({ size_before: v.number(), words: v.number() }), facts: ["size_before"], afterRun: () => ({ size_before: 100, words: 7 }) }),
    ]);
    const record = await runCapture(capture, begin, async () => {});
    expect(record.success).toBe(true);
    expect(record.size_before).toBe(100);
    expect(record.plugin_metrics).toEqual({ ok: { words: 7 } });
    expect(record.plugin_errors).toEqual([
      { plugin: "broken", hook: "beforeRun", code: "PLUGIN_HOOK_FAILED", message: 'Plugin "broken" failed in hook "beforeRun": disk on fire' },
    ]);
  });

  test("a hook exceeding its time budget is recorded as a timeout and processing goes on", async () => {
    const capture = captureWith(
      [
        { name: "slow", version: "1", onPhase: () => new Promise((r) => setTimeout(r, 2_000)) },
        definePlugin({ name: "after", version: "1", metrics: v.object({ ran: v.boolean() }), afterRun: () => ({ ran: true }) }),
      ],
      50,
    );
    const started = performance.now();
    const record = await runCapture(capture, begin, async (run) => void (await run.startPhase("filter").end()));
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(record.plugin_errors.map((e) => [e.plugin, e.hook, e.code])).toEqual([["slow", "onPhase", "PLUGIN_TIMEOUT"]]);
    expect(record.plugin_errors[0]!.message).toContain("exceeded its time budget of 50 ms");
    expect(record.plugin_metrics).toEqual({ after: { ran: true } });
  });

  test("output that fails the plugin's schema is refused and recorded, not stored", async () => {
    const capture = captureWith([
      definePlugin({ name: "liar", version: "1", metrics: v.object({ words: v.number() }), afterRun: () => ({ words: "many" }) as never }),
      definePlugin({ name: "badhash", version: "1", metrics: v.object({ hash_before: v.string() }), facts: ["hash_before"], afterRun: () => ({ hash_before: "md5:abc" }) }),
      { name: "undeclared", version: "1", afterRun: () => ({ x: 1 }) },
    ]);
    const record = await runCapture(capture, begin, async () => {});
    expect(record.plugin_metrics).toEqual({});
    expect(record.hash_before).toBeNull();
    expect(record.plugin_errors.map((e) => [e.plugin, e.code])).toEqual([
      ["liar", "PLUGIN_INVALID_OUTPUT"],
      ["badhash", "PLUGIN_INVALID_OUTPUT"],
      ["undeclared", "PLUGIN_INVALID_OUTPUT"],
    ]);
    expect(record.plugin_errors[0]!.message).toContain("words: Invalid type: Expected number");
  });

  test("metrics past the record's bounds are refused one by one; the run and the plugin's other metrics are recorded", async () => {
    const long = "k".repeat(300);
    const capture = captureWith([
      definePlugin({
        name: "big",
        version: "1",
        metrics: v.record(v.string(), v.number()),
        afterRun: () => ({ fine: 7, huge: 2 ** 60, [long]: 1 }),
      }),
      definePlugin({
        name: "flood",
        version: "1",
        metrics: v.record(v.string(), v.number()),
        afterRun: () => Object.fromEntries(Array.from({ length: 10_005 }, (_, i) => [`m${i}`, i])),
      }),
    ]);
    const record = await runCapture(capture, begin, async () => {});
    expect(record.plugin_metrics.big).toEqual({ fine: 7 });
    // 10,000 in all: the first plugin's one, and the flood's first 9,999.
    expect(Object.keys(record.plugin_metrics.flood!).length).toBe(9_999);
    expect(record.plugin_errors.map((e) => [e.plugin, e.code])).toEqual([["big", "PLUGIN_INVALID_OUTPUT"], ["flood", "PLUGIN_INVALID_OUTPUT"]]);
    expect(record.plugin_errors[0]!.message).toContain("huge: Expected a magnitude of at most");
    expect(record.plugin_errors[0]!.message).toContain("the key: Expected at most 256 characters");
    expect(record.plugin_errors[1]!.message).toContain("more than 10000 metrics in one run");
  });

  test("work that throws yields one failed record with the error, and afterRun still runs", async () => {
    const seen: unknown[] = [];
    const capture = captureWith([
      definePlugin({
        name: "watch",
        version: "1",
        metrics: v.object({ size_after: v.number() }),
        facts: ["size_after"],
        afterRun: (run) => {
          seen.push(run.outcome);
          return { size_after: 5 };
        },
      }),
    ]);
    const record = await runCapture(capture, { ...begin, phasesTotal: 2 }, async (run) => {
      await run.startPhase("filter").end();
      throw new Error("ffmpeg exited with code 1");
    });
    expect(record).toMatchObject({ success: false, status: "failed", error_message: "ffmpeg exited with code 1", size_after: 5, phases_completed: 1, phases_total: 2 });
    expect(seen).toEqual([{ success: false, status: "failed", error: "ffmpeg exited with code 1" }]);
  });

  test("nested metrics are flattened to dotted keys and per-run state stays per run", async () => {
    const started = new WeakMap<object, number>();
    const plugin = definePlugin({
      name: "langs",
      version: "1",
      metrics: v.object({ audio: v.record(v.string(), v.number()), run_no: v.number() }),
      beforeRun: (run) => void started.set(run, started.has(run) ? -1 : 1),
      afterRun: (run) => ({ audio: { eng: 1, jpn: 2 }, run_no: started.get(run)! }),
    });
    const capture = captureWith([plugin]);
    const [a, b] = await Promise.all([runCapture(capture, begin, async () => {}), runCapture(capture, begin, async () => {})]);
    expect(a.plugin_metrics).toEqual({ langs: { "audio.eng": 1, "audio.jpn": 2, run_no: 1 } });
    expect(b.plugin_metrics.langs!.run_no).toBe(1);
    expect(a.id).not.toBe(b.id);
  });
});
