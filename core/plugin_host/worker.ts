/**
 * Runs one third-party plugin inside a Worker. The plugin sees the same RunContext shape as an
 * in-process one (one frozen object per run, so WeakMap state works); `run.probe()` is answered
 * by the main thread, whose per-run cache keeps its per-file-state semantics. Its afterRun output
 * is checked against its own schema here, before it is copied out.
 */
import { type ErrorCode, VpoError, errorMessage } from "../errors.ts";
import type { MediaInfo } from "../media.ts";
import { checkMetrics } from "../plugin_output.ts";
import type { ActionReport, HookName, PhaseReport, RunContext, VpoPlugin } from "../plugin.ts";
import { createRegistry, type PluginRegistry } from "../registry.ts";
import { createRunView, type RunView } from "../run_view.ts";
import { provideModules } from "./_provided_modules.ts";
import type { FromWorker, RunStart, RunUpdate, ToWorker, WireError } from "./_protocol.ts";

declare const self: { postMessage(message: unknown): void; onmessage: ((event: MessageEvent<ToWorker>) => unknown) | null; close(): void };
const post = (message: FromWorker) => self.postMessage(message);

/**
 * In a Bun worker, process.exit ends the worker only, but silently: the hook would just never
 * answer. Refusing it turns the attempt into an error recorded on the run. Same for the other
 * ways to end this process or this worker from inside.
 */
function guardProcess() {
  const refuse = (what: string): never => {
    throw new Error(`${what} was called; a plugin cannot end vpo, the run goes on and is recorded`);
  };
  process.exit = ((code?: number) => refuse(`process.exit(${code ?? ""})`)) as typeof process.exit;
  process.abort = (() => refuse("process.abort()")) as typeof process.abort;
  (process as unknown as { reallyExit: (code?: number) => never }).reallyExit = (code?: number) => refuse(`process.reallyExit(${code ?? ""})`);
  const kill = process.kill.bind(process);
  process.kill = ((pid: number, signal?: string | number) => {
    const ownProcess = pid === process.pid || pid <= 0;
    if (ownProcess && signal !== 0) refuse(`process.kill(${pid}${signal === undefined ? "" : `, ${JSON.stringify(signal)}`})`);
    return kill(pid, signal);
  }) as typeof process.kill;
  self.close = () => refuse("close()");
  // A throw outside any hook (a timer, an unawaited promise) would end the worker and every run's state in it.
  process.on("uncaughtException", (error) => post({ type: "stray", message: errorMessage(error) }));
  process.on("unhandledRejection", (error) => post({ type: "stray", message: errorMessage(error) }));
}

const wire = (error: unknown, code: string): WireError => ({ code, message: errorMessage(error) });

async function loadPlugin(target: string, specifier: string, options: Record<string, unknown> | undefined): Promise<VpoPlugin> {
  const failed = (message: string, cause?: unknown) =>
    new VpoError("PLUGIN_LOAD_FAILED", `Cannot load plugin "${specifier}": ${message}`, { cause });
  let mod: Record<string, unknown>;
  try {
    provideModules(); // its `import … from "vpo"` must reach this vpo, wherever the file lives
    mod = await import(target);
  } catch (error) {
    throw failed(buildErrors(error) ?? errorMessage(error), error);
  }
  const exported = mod.default ?? mod.plugin;
  if (exported === undefined) throw failed("the module has no default export (export default definePlugin({ ... }))");
  let made: unknown = exported;
  if (typeof exported === "function") {
    try {
      made = await (exported as (o: Record<string, unknown>) => unknown)(options ?? {});
    } catch (error) {
      throw failed(`its factory threw: ${errorMessage(error)}`, error);
    }
  }
  // A text file, say, imports as a string: name the file, not a plugin "(unnamed)".
  if (!made || typeof made !== "object") {
    const what = made === null ? "null" : `a ${typeof made}`;
    throw failed(`${typeof exported === "function" ? "its factory returned" : "its default export is"} ${what}, not a plugin (export default definePlugin({ ... }))`);
  }
  return made as VpoPlugin;
}

/** Bun's "2 errors building …" as the errors themselves, with where each is. */
function buildErrors(error: unknown): string | undefined {
  const errors = (error as { errors?: { message?: string; position?: { file?: string; line?: number; column?: number } | null }[] }).errors;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  return errors
    .map((e) => (e.position?.line ? `${e.position.file ?? ""}:${e.position.line}:${e.position.column ?? 0}: ${e.message}` : String(e.message)))
    .join("; ");
}

interface WorkerRun {
  view: RunView;
  phases: PhaseReport[];
  actions: ActionReport[];
  filePath: string;
  outcome: RunContext["outcome"];
}

let plugin: VpoPlugin;
let registry: PluginRegistry;
const runs = new Map<number, WorkerRun>();
const probes = new Map<number, { resolve: (info: MediaInfo) => void; reject: (error: Error) => void }>();
let probeIds = 0;

function openRun(handle: number, start: RunStart): WorkerRun {
  const run: WorkerRun = { phases: [], actions: [], filePath: "", outcome: null, view: undefined as unknown as RunView };
  run.view = createRunView({
    id: start.id,
    policyName: start.policyName,
    jobId: start.jobId,
    startedAt: new Date(start.startedAt),
    intent: start.intent,
    phases: run.phases,
    actions: run.actions,
    filePath: () => run.filePath,
    outcome: () => run.outcome,
    probe: (path) =>
      new Promise<MediaInfo>((resolve, reject) => {
        const id = ++probeIds;
        probes.set(id, { resolve, reject });
        post({ type: "probe", id, run: handle, path });
      }),
  });
  runs.set(handle, run);
  return run;
}

function update(run: WorkerRun, changes: RunUpdate) {
  run.filePath = changes.filePath;
  run.outcome = changes.outcome;
  run.phases.push(...changes.phases);
  run.actions.push(...changes.actions);
}

async function call(hookName: HookName, run: WorkerRun, arg: number | undefined): Promise<unknown> {
  const hook = registry.hooks(hookName)[0];
  if (!hook) return undefined;
  const args: unknown[] = [run.view.context];
  if (hookName === "onPhase") args.push(run.view.phase(arg ?? run.phases.length - 1));
  if (hookName === "onAction") args.push(run.view.action(arg ?? run.actions.length - 1));
  return hook.handler(...args);
}

async function answer(message: Extract<ToWorker, { type: "call" }>) {
  let run = runs.get(message.run);
  if (!run) {
    if (!message.start) return post({ type: "done", id: message.id, error: { code: "PLUGIN_HOOK_FAILED", message: "unknown run" } });
    run = openRun(message.run, message.start);
  }
  update(run, message.update);
  let value: unknown;
  try {
    value = await call(message.hook, run, message.arg);
  } catch (error) {
    return post({ type: "done", id: message.id, error: wire(error, "PLUGIN_HOOK_FAILED") });
  } finally {
    // afterRun is the last hook of a run.
    if (message.hook === "afterRun") runs.delete(message.run);
  }
  if (message.hook !== "afterRun" || value === undefined || value === null) return post({ type: "done", id: message.id });
  const checked = checkMetrics(plugin, value);
  if (!checked.ok) return post({ type: "done", id: message.id, error: { code: "PLUGIN_INVALID_OUTPUT", message: checked.message } });
  try {
    post({ type: "done", id: message.id, value: checked.output });
  } catch (error) {
    post({ type: "done", id: message.id, error: { code: "PLUGIN_INVALID_OUTPUT", message: `metrics cannot be copied out of its worker: ${errorMessage(error)}` } });
  }
}

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  switch (message.type) {
    case "load":
      try {
        guardProcess();
        plugin = await loadPlugin(message.target, message.specifier, message.options);
        // The same validation as the main thread's registry, with the same messages.
        registry = createRegistry();
        registry.register(plugin, message.specifier);
        const info = registry.describe()[0]!;
        post({
          type: "loaded",
          shape: {
            name: info.name,
            version: info.version,
            ...(info.description === null ? {} : { description: info.description }),
            ...(plugin.facts === undefined ? {} : { facts: info.facts }),
            metricKeys: plugin.metrics ? info.metrics : null,
            hooks: Object.fromEntries(info.hooks.map((h) => [h.name, h.order])),
          },
        });
      } catch (error) {
        post({ type: "load-failed", error: wire(error, error instanceof VpoError ? error.code : "PLUGIN_LOAD_FAILED") });
      }
      return;
    case "call":
      return answer(message);
    case "drop":
      runs.delete(message.run);
      return;
    case "probed": {
      const pending = probes.get(message.id);
      probes.delete(message.id);
      if (!pending) return;
      if (message.info) return pending.resolve(message.info);
      // Same code as the main thread's error, so `error.code === "FILE_NOT_FOUND"` checks work here too.
      pending.reject(new VpoError((message.error?.code ?? "TOOL_FAILED") as ErrorCode, message.error?.message ?? "probe failed"));
    }
  }
};
