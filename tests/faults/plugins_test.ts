/**
 * Hostile plugins: a third-party plugin must not be able to stop a run, forge another plugin's
 * facts, erase what the engine reported, or end the process without its record.
 *
 * Plugins are real files in a third party's project (importing `vpo` and `valibot` by name).
 * Where it matters, each check runs twice: registered in-process (as the built-ins are) and
 * loaded by `loadPluginModule` (as `--plugin` and `[plugins] load` do, in a worker).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createCapture, createRegistry, loadPluginModule, partialHash, runCapture, type RunRecord, type VpoPlugin } from "../../core/mod.ts";
import { createProbe } from "../../engine/probe.ts";
import { resolveTools } from "../../engine/tools.ts";
import { builtinPlugins } from "../../plugins/mod.ts";
import { ROOT, thirdPartyProject, vpo } from "../cli/_cli.ts";
import { KEEP_FIRST_AUDIO, scratch } from "../fixtures/plugin_run.ts";
import { copyFixture, type Fixtures, makeFixtures } from "../fixtures/media.ts";
import { rewriteInPlace } from "../fixtures/ffmpeg.ts";

let fixtures: Fixtures;
let project: string;
const tmp = await scratch("faults");
beforeAll(async () => {
  fixtures = await makeFixtures();
  project = thirdPartyProject();
});
afterAll(tmp.cleanup);

/** Writes a plugin module into the third party's project and returns its path. */
function pluginFile(name: string, body: string): string {
  const path = join(project, `${name}.ts`);
  writeFileSync(path, `import * as v from "valibot";\nimport { definePlugin } from "vpo";\n${body}\n`);
  return path;
}

type Loading = "in-process" | "worker";
const LOADINGS: Loading[] = ["in-process", "worker"];

async function loadPlugin(path: string, how: Loading): Promise<VpoPlugin> {
  return how === "worker" ? ((await loadPluginModule(path)) as VpoPlugin) : ((await import(path)).default as VpoPlugin);
}

/** The built-ins plus `extra`, registered last, through the real capture runner and ffprobe. */
function captureWithBuiltins(extra: VpoPlugin, hookTimeoutMs?: number) {
  const registry = createRegistry();
  for (const plugin of builtinPlugins()) registry.register(plugin);
  registry.register(extra, "third-party");
  return createCapture({ registry, probe: createProbe(resolveTools()), hookTimeoutMs });
}

const errorsOf = (record: RunRecord, plugin: string) => record.plugin_errors.filter((e) => e.plugin === plugin).map((e) => [e.hook, e.code]);

describe("a plugin cannot forge another plugin's facts", () => {
  const FORGER = `export default definePlugin({
  name: "forger",
  version: "1.0.0",
  metrics: v.object({ size_before: v.number(), hash_before: v.string(), video_source_codec: v.string(), honest: v.number() }),
  afterRun: () => ({ size_before: 1, hash_before: "sha256:${"0".repeat(64)}", video_source_codec: "forged", honest: 7 }),
});`;

  for (const how of LOADINGS) {
    test(`(${how}) the built-in values stay and each forged fact is a plugin error on the run`, async () => {
      const forger = await loadPlugin(pluginFile(`forger-${how}`, FORGER), how);
      const file = await tmp.copy("multi");
      const sizeBefore = statSync(file).size;
      const hashBefore = await partialHash(file);
      const record = await runCapture(captureWithBuiltins(forger), { filePath: file, policyName: "strip", phasesTotal: 1 }, async (run) => {
        const phase = run.startPhase("remux");
        await rewriteInPlace(file, KEEP_FIRST_AUDIO);
        await phase.end();
      });
      expect(record).toMatchObject({ success: true, size_before: sizeBefore, hash_before: hashBefore, video_source_codec: "h264" });
      expect(errorsOf(record, "forger")).toEqual([
        ["afterRun", "PLUGIN_FACT_NOT_OWNED"],
        ["afterRun", "PLUGIN_FACT_NOT_OWNED"],
        ["afterRun", "PLUGIN_FACT_NOT_OWNED"],
      ]);
      expect(record.plugin_errors[0]!.message).toBe('Plugin "forger" failed in hook "afterRun": returned "size_before", a run fact owned by plugin "size"; the value was ignored');
      // Its own metrics are kept; forged facts do not reappear as metrics either.
      expect(record.plugin_metrics.forger).toEqual({ honest: 7 });
      expect(record.plugin_errors.filter((e) => e.plugin !== "forger")).toEqual([]);
    });
  }

  test("claiming a built-in's fact is refused at registration, naming the plugin", async () => {
    const path = pluginFile("claimer", `export default definePlugin({
  name: "claimer", version: "1.0.0",
  metrics: v.object({ hash_after: v.string() }),
  facts: ["hash_after"],
  afterRun: () => ({ hash_after: "sha256:${"1".repeat(64)}" }),
});`);
    const registry = createRegistry();
    for (const plugin of builtinPlugins()) registry.register(plugin);
    expect(() => registry.register(require(path).default)).toThrow(
      expect.objectContaining({ code: "INVALID_PLUGIN", message: 'Plugin "claimer" is invalid: facts names "hash_after", which plugin "hash" already owns' }),
    );
  });
});

describe("a plugin cannot erase or rewrite what the engine reported", () => {
  const ERASER = `export default definePlugin({
  name: "eraser",
  version: "1.0.0",
  onAction(run, action) {
    try { (action as any).type = "forged"; } catch {}
    try { (run.actions as any).length = 0; } catch {}
  },
  onPhase(run, phase) {
    try { (phase as any).wallTimeSeconds = 999; } catch {}
    (run.phases as any).splice(0);
  },
  afterRun(run) {
    (run.actions as any).length = 0;
  },
});`;

  for (const how of LOADINGS) {
    test(`(${how}) emptying run.actions and run.phases leaves the record and the other plugins' view intact`, async () => {
      const eraser = await loadPlugin(pluginFile(`eraser-${how}`, ERASER), how);
      const file = await tmp.copy("clip");
      const record = await runCapture(captureWithBuiltins(eraser), { filePath: file, policyName: "strip", phasesTotal: 1 }, async (run) => {
        await run.action({ type: "keep", trackType: "video", trackIndex: 0 });
        await run.action({ type: "remove", trackType: "audio", trackIndex: 1 });
        await run.startPhase("remux").end({ bytesRead: 10, bytesWritten: 5 });
      });
      expect(record.actions.map((a) => [a.action_type, a.track_index])).toEqual([["keep", 0], ["remove", 1]]);
      expect(record.phases.map((p) => p.phase_name)).toEqual(["remux"]);
      expect(record.phases[0]!.wall_time_seconds).toBeLessThan(999);
      expect(record.phases_completed).toBe(1);
      // Plugins that ran after the eraser still saw every phase.
      expect(record.plugin_metrics.timing!.phase_count).toBe(1);
      expect(record.plugin_metrics.size).toMatchObject({ bytes_read: 10, bytes_written: 5 });
      // The attempts that threw (a frozen list) are recorded against the eraser, nothing else.
      expect(errorsOf(record, "eraser")).toEqual([["onPhase", "PLUGIN_HOOK_FAILED"], ["afterRun", "PLUGIN_HOOK_FAILED"]]);
      expect(record.plugin_errors.filter((e) => e.plugin !== "eraser")).toEqual([]);
    });
  }
});

/** The real CLI with a deadline: a hung vpo is killed and reported instead of hanging the suite. */
async function vpoWithin(deadlineMs: number, args: string[], options: { dataDir: string; cwd: string; env?: Record<string, string> }) {
  const started = performance.now();
  const proc = Bun.spawn([process.execPath, join(ROOT, "cli/main.ts"), ...args], {
    cwd: options.cwd,
    env: { ...process.env, VPO_DATA_DIR: options.dataDir, NO_COLOR: "1", VPO_CONFIG: "", VPO_PROFILE: "", ...options.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    proc.kill("SIGKILL");
  }, deadlineMs);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  return { code, stdout, stderr, killed, elapsedMs: performance.now() - started };
}

const COPY = ["--", "ffmpeg", "-i", "{input}", "-map", "0:v", "-map", "0:a:0", "-c", "copy", "{output}"];

describe("a plugin cannot end vpo without its record", () => {
  const QUITTER = `export default definePlugin({
  name: "quitter",
  version: "1.0.0",
  afterRun() { process.exit(0); },
});`;

  test("process.exit(0) in afterRun during `vpo run`: vpo goes on, records the run with a plugin error, exits by the run", async () => {
    pluginFile("quitter", QUITTER);
    const file = await copyFixture(fixtures, "multi", join(project, "run"));
    const run = await vpoWithin(60_000, ["--plugin", "./quitter.ts", "run", file, "--policy-name", "copy", "--json", ...COPY], { dataDir: project, cwd: project });
    expect(run.killed).toBe(false);
    expect(run.code).toBe(0);
    const record = JSON.parse(run.stdout) as RunRecord;
    expect(record.success).toBe(true);
    expect(record.audio_tracks_after).toBe(1);
    expect(errorsOf(record, "quitter")).toEqual([["afterRun", "PLUGIN_HOOK_FAILED"]]);
    expect(record.plugin_errors[0]!.message).toContain("process.exit(0)");
    const stored = await vpo(["stats", "detail", record.id, "--format", "json"], { dataDir: project });
    expect(stored.code).toBe(0);
    expect(JSON.parse(stored.stdout).plugin_errors).toEqual(record.plugin_errors);

    // A failed run still exits 1, with its record.
    const failed = await vpoWithin(60_000, ["--plugin", "./quitter.ts", "run", file, "--policy-name", "bad", "--json", "--", "ffmpeg", "-i", "{input}", "-c:v", "no_such_encoder", "{output}"], { dataDir: project, cwd: project });
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ success: false, plugin_errors: [{ plugin: "quitter", hook: "afterRun", code: "PLUGIN_HOOK_FAILED" }] });
  }, 120_000);

  test("process.exit(0) in afterRun during `vpo process`: every file is processed and recorded", async () => {
    pluginFile("quitter", QUITTER);
    const dir = join(project, "process");
    const lib = join(dir, "lib");
    await copyFixture(fixtures, "multi", lib);
    await copyFixture(fixtures, "clip", lib);
    const policy = join(dir, "policy.yaml");
    writeFileSync(policy, `schema_version: 13
name: keep-eng
config: { audio_languages: [eng], subtitle_languages: [eng], on_error: skip }
phases:
  - name: filter
    keep_audio: { languages: [eng, und], minimum: 1 }
    filter_attachments: { remove_all: true }
`);
    const run = await vpoWithin(60_000, ["--plugin", "./quitter.ts", "process", lib, "--policy", policy, "--json"], { dataDir: dir, cwd: project });
    expect(run.killed).toBe(false);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const events = run.stdout.trim().split("\n").map((l) => JSON.parse(l) as { event: string; status?: string; files?: number });
    expect(events.at(-1)).toMatchObject({ event: "job.finished", status: "completed", files: 2, failed: 0 });
    const exported = await vpo(["stats", "export"], { dataDir: dir });
    const records = exported.stdout.trim().split("\n").map((l) => JSON.parse(l) as RunRecord);
    expect(records).toHaveLength(2);
    for (const record of records) expect(errorsOf(record, "quitter")).toEqual([["afterRun", "PLUGIN_HOOK_FAILED"]]);
  }, 120_000);
});

describe("a plugin cannot stop a run", () => {
  test("a throw outside any hook (a timer, an unawaited promise) neither ends vpo nor loses the plugin's run state", async () => {
    // Run by the real CLI: under `bun test` an uncaught error in a worker ends the worker whatever it handles.
    pluginFile("stray", `const marks = new WeakMap<object, number>();
export default definePlugin({
  name: "stray",
  version: "1.0.0",
  metrics: v.object({ mark: v.number() }),
  beforeRun(run) {
    marks.set(run, 42);
    setTimeout(() => { throw new Error("late"); }, 0);
    Promise.reject(new Error("unawaited"));
  },
  async afterRun(run) { await Bun.sleep(50); return { mark: marks.get(run)! }; },
});`);
    const file = await copyFixture(fixtures, "clip", join(project, "stray"));
    const run = await vpoWithin(60_000, ["--plugin", "./stray.ts", "run", file, "--policy-name", "copy", "--json", "--", "ffmpeg", "-i", "{input}", "-c", "copy", "{output}"], { dataDir: project, cwd: project });
    expect(run.code).toBe(0);
    const record = JSON.parse(run.stdout) as RunRecord;
    expect(record.plugin_errors).toEqual([]);
    expect(record.plugin_metrics.stray).toEqual({ mark: 42 });
  }, 60_000);

  test("a synchronous for(;;){} in a hook: `vpo run` finishes within the budget plus a margin, PLUGIN_TIMEOUT recorded", async () => {
    pluginFile("spinner", `export default definePlugin({
  name: "spinner",
  version: "1.0.0",
  metrics: v.object({ after: v.boolean() }),
  onPhase() { for (;;) {} },
  afterRun: () => ({ after: true }),
});`);
    const file = await copyFixture(fixtures, "multi", join(project, "spin"));
    const budgetMs = 1_000;
    const run = await vpoWithin(45_000, ["--plugin", "./spinner.ts", "run", file, "--policy-name", "copy", "--json", ...COPY], {
      dataDir: project,
      cwd: project,
      env: { VPO_PLUGINS_HOOK_TIMEOUT_MS: String(budgetMs) },
    });
    expect(run.killed).toBe(false);
    // Start-up, probing, ffmpeg and the record take a few seconds on two shared cores; a hang would not end.
    expect(run.elapsedMs).toBeLessThan(budgetMs + 20_000);
    expect(run.code).toBe(0);
    const record = JSON.parse(run.stdout) as RunRecord;
    expect(record.success).toBe(true);
    expect(record.audio_tracks_after).toBe(1);
    // The worker was stopped at the deadline; the rest of this run's hooks of that plugin are skipped.
    expect(errorsOf(record, "spinner")).toEqual([["onPhase", "PLUGIN_TIMEOUT"]]);
    expect(record.plugin_errors[0]!.message).toContain(`exceeded its time budget of ${budgetMs} ms`);
    expect(record.plugin_metrics.spinner).toBeUndefined();
    expect(record.plugin_errors.filter((e) => e.plugin !== "spinner")).toEqual([]);
  }, 60_000);

  test("after a hook ran away, the next run gets a fresh worker: the plugin works again", async () => {
    const path = pluginFile("sometimes", `let runs = 0;
export default definePlugin({
  name: "sometimes",
  version: "1.0.0",
  metrics: v.object({ runs: v.number() }),
  beforeRun(run) { if (run.policyName === "spin") for (;;) {} },
  afterRun: () => ({ runs: ++runs }),
});`);
    const capture = captureWithBuiltins(await loadPlugin(path, "worker"), 300);
    const file = await tmp.copy("clip");
    const started = performance.now();
    const spun = await runCapture(capture, { filePath: file, policyName: "spin" }, async () => {});
    expect(performance.now() - started).toBeLessThan(300 + 5_000);
    expect(errorsOf(spun, "sometimes")).toEqual([["beforeRun", "PLUGIN_TIMEOUT"]]);
    expect(spun.plugin_metrics.sometimes).toBeUndefined();
    const next = await runCapture(capture, { filePath: file, policyName: "calm" }, async () => {});
    // (Only this plugin's: on a loaded machine a built-in's probe may itself pass the 300 ms budget.)
    expect(errorsOf(next, "sometimes")).toEqual([]);
    // A fresh module instance: its module state started over.
    expect(next.plugin_metrics.sometimes).toEqual({ runs: 1 });
  }, 30_000);
});
