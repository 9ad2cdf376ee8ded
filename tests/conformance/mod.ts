/**
 * Conformance kit for vpo plugins, in the spirit of unstorage's `testDriver`: a plugin author
 * calls `testPluginConformance(plugin)` inside a `*_test.ts` file and runs `bun test`. Every check
 * drives the plugin through the real capture runner on real media made with ffmpeg and stores
 * the result in a real SQLite database.
 *
 * @example
 * // my-plugin_test.ts
 * import { testPluginConformance } from "vpo/testing";
 * import plugin from "./my-plugin.ts";
 * // `module`: also check the plugin the way vpo runs a third-party plugin, loaded in a worker.
 * testPluginConformance(plugin, { module: new URL("./my-plugin.ts", import.meta.url).pathname });
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as v from "valibot";
import {
  createCapture, createRegistry, getMetricAggregates, getRunDetail, loadPluginModule, openDatabase, recordRun, runCapture, type RunRecord, type VpoPlugin,
} from "../../core/mod.ts";
import { createProbe } from "../../engine/probe.ts";
import { resolveTools } from "../../engine/tools.ts";
import { copyFixture, type FixtureName, makeFixtures } from "../fixtures/media.ts";

export interface ConformanceOptions {
  /** Fixtures to run the plugin on (default: every readable one). */
  fixtures?: FixtureName[];
  /** Hook time budget during the checks, in ms (default 10 s). */
  hookTimeoutMs?: number;
  /**
   * The plugin's module (a file path or package name). When given, the plugin is also loaded the
   * way vpo loads third-party plugins — in its own worker, the factory called with `{}` — and must
   * give the same results there: output that survives the copy out of the worker, no reliance on
   * state shared with the main thread.
   */
  module?: string;
}

/** Timing-like values legitimately differ between runs: compare the rest. */
const stable = (m: Record<string, unknown> = {}) => Object.fromEntries(Object.entries(m).filter(([k]) => !/time|duration|fps|_ms$|seconds/.test(k)));

function harness(plugin: VpoPlugin, hookTimeoutMs: number) {
  const registry = createRegistry();
  registry.register(plugin);
  return createCapture({ registry, probe: createProbe(resolveTools()), hookTimeoutMs });
}

/** Registers bun:test tests that check `plugin` against the capture-hook contract. */
export function testPluginConformance(plugin: VpoPlugin, options: ConformanceOptions = {}): void {
  const names = options.fixtures ?? (["multi", "clip", "silent", "hevc"] as FixtureName[]);
  const budget = options.hookTimeoutMs ?? 10_000;

  describe(`plugin conformance: ${plugin.name}`, () => {
    test("passes registry validation", () => {
      expect(() => createRegistry().register(plugin)).not.toThrow();
    });

    test("declares a metrics schema when afterRun can return metrics", () => {
      if (plugin.afterRun) expect(plugin.metrics?.kind).toBe("schema");
    });

    for (const name of names) {
      test(`records a successful run on the "${name}" fixture without a plugin failure, and its metrics survive storage`, async () => {
        const dir = mkdtempSync(join(tmpdir(), "vpo-conformance-"));
        const { db, close } = await openDatabase(join(dir, "conformance.db"));
        try {
          const file = await copyFixture(await makeFixtures(), name, dir);
          const record = await runCapture(harness(plugin, budget), { filePath: file, policyName: "conformance", phasesTotal: 1 }, async (run) => {
            await run.action({ type: "keep", trackType: "video", trackIndex: 0 });
            await run.startPhase("noop").end({ bytesRead: 0, bytesWritten: 0 });
          });
          expect(record.plugin_errors).toEqual([]);
          await recordRun(db, record);
          const stored = await getRunDetail(db, record.id);
          const own = record.plugin_metrics[plugin.name] ?? {};
          // Booleans are stored as 0/1; everything else comes back as it went in.
          const expected = Object.fromEntries(Object.entries(own).map(([k, x]) => [k, typeof x === "boolean" ? Number(x) : x]));
          expect(stored.plugin_metrics[plugin.name] ?? {}).toEqual(expected);
          const aggregates = await getMetricAggregates(db, { plugin: plugin.name });
          expect(aggregates.map((a) => a.key).sort()).toEqual(Object.keys(own).sort());
        } finally {
          await close();
          rmSync(dir, { recursive: true, force: true });
        }
      });
    }

    test("copes with a failed run: afterRun gets the outcome and the run is kept", async () => {
      const dir = mkdtempSync(join(tmpdir(), "vpo-conformance-"));
      try {
        const file = await copyFixture(await makeFixtures(), names[0]!, dir);
        const record = await runCapture(harness(plugin, budget), { filePath: file, policyName: "conformance", phasesTotal: 1 }, async () => {
          throw new Error("simulated command failure");
        });
        expect(record.success).toBe(false);
        expect(record.error_message).toBe("simulated command failure");
        expect(record.plugin_errors).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test("keeps per-run state per run: concurrent runs give the same metrics as sequential ones", async () => {
      const dir = mkdtempSync(join(tmpdir(), "vpo-conformance-"));
      try {
        const fixtures = await makeFixtures();
        const files = await Promise.all(names.slice(0, 2).map((n) => copyFixture(fixtures, n, dir)));
        const capture = harness(plugin, budget);
        const once = (file: string) => runCapture(capture, { filePath: file, policyName: "conformance" }, async () => {});
        // Timing-like metrics legitimately differ between runs: compare keys and non-time values.
        const sequential = [];
        for (const f of files) sequential.push(await once(f));
        const concurrent = await Promise.all(files.map(once));
        for (let i = 0; i < files.length; i++) {
          expect(stable(concurrent[i]!.plugin_metrics[plugin.name])).toEqual(stable(sequential[i]!.plugin_metrics[plugin.name]));
          expect(Object.keys(concurrent[i]!.plugin_metrics[plugin.name] ?? {}).sort()).toEqual(Object.keys(sequential[i]!.plugin_metrics[plugin.name] ?? {}).sort());
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    if (options.module) {
      const module = options.module;
      test("gives the same record loaded in a worker, as vpo runs third-party plugins", async () => {
        const hosted = await loadPluginModule(module);
        expect(hosted.name).toBe(plugin.name);
        const dir = mkdtempSync(join(tmpdir(), "vpo-conformance-"));
        try {
          const fixtures = await makeFixtures();
          for (const name of names.slice(0, 2)) {
            const once = async (p: VpoPlugin, sub: string) => {
              const file = await copyFixture(fixtures, name, join(dir, sub));
              return runCapture(harness(p, budget), { filePath: file, policyName: "conformance", phasesTotal: 1 }, async (run) => {
                await run.action({ type: "keep", trackType: "video", trackIndex: 0 });
                await run.startPhase("noop").end({ bytesRead: 0, bytesWritten: 0 });
              });
            };
            const [local, isolated] = [await once(plugin, `${name}-local`), await once(hosted, `${name}-worker`)];
            expect(isolated.plugin_errors).toEqual([]);
            expect(stable(isolated.plugin_metrics[plugin.name])).toEqual(stable(local.plugin_metrics[plugin.name]));
            const facts = (r: RunRecord) => stable(Object.fromEntries((plugin.facts ?? []).map((f) => [f, r[f as keyof RunRecord]])));
            expect(facts(isolated)).toEqual(facts(local));
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    }

    test("returns output that its own schema accepts", async () => {
      if (!plugin.afterRun || !plugin.metrics) return;
      const dir = mkdtempSync(join(tmpdir(), "vpo-conformance-"));
      try {
        const file = await copyFixture(await makeFixtures(), names[0]!, dir);
        const registry = createRegistry();
        let raw: unknown;
        const handler = typeof plugin.afterRun === "function" ? plugin.afterRun : plugin.afterRun.handler;
        registry.register({ ...plugin, afterRun: async (run) => (raw = await handler(run)) } as VpoPlugin);
        const capture = createCapture({ registry, probe: createProbe(resolveTools()), hookTimeoutMs: budget });
        await runCapture(capture, { filePath: file, policyName: "conformance" }, async () => {});
        if (raw !== undefined) expect(v.safeParse(plugin.metrics, raw).issues ?? []).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
