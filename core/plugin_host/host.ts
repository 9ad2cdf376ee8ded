/**
 * Hosts one third-party plugin in its own Worker and registers a stand-in for it.
 *
 * Why a worker: a plugin runs arbitrary code. On the main thread a synchronous loop cannot be
 * interrupted by any timer, and process.exit ends vpo before the run is recorded. A worker can be
 * terminated at the deadline whatever it is doing, its process.exit is refused, and everything it
 * gets is a copy. One worker per plugin, so stopping one loses no other plugin's per-run state.
 * Built-ins stay in-process: they are trusted and need no round trip.
 *
 * When a hook exceeds its budget the worker is terminated: that hook records PLUGIN_TIMEOUT, a
 * hook of another run in flight there records PLUGIN_STOPPED, and the later hooks of every run
 * whose state lived in that worker are skipped (running them on fresh state would record
 * half-truths). The next run that reaches the plugin starts a fresh worker; if that worker cannot
 * load, the plugin stays stopped for the rest of the process.
 */
import { getLogger } from "@logtape/logtape";
import * as v from "valibot";
import { type ErrorCode, VpoError, errorMessage } from "../errors.ts";
import type { HookName, RunContext, VpoPlugin } from "../plugin.ts";
import { markHosted } from "./_hosted.ts";
import type { FromWorker, PluginShape, RunUpdate, ToWorker } from "./_protocol.ts";

const log = getLogger(["vpo", "plugins"]);
const WORKER_URL = new URL("./worker.ts", import.meta.url).href;

export interface HostOptions {
  /** Absolute path of the plugin module. */
  target: string;
  /** How the user named it, for messages. */
  specifier: string;
  /** Passed to the module's factory, if it exports one. */
  options?: Record<string, unknown>;
  /** Budget for importing the module and calling its factory. */
  loadTimeoutMs: number;
  /** Budget of a hook called directly rather than by the capture runner (which passes its own). */
  defaultHookTimeoutMs: number;
}

/** Bun's Worker can stop keeping the process alive, like a timer. */
type BunWorker = Worker & { ref(): void; unref(): void };

/** One worker and the hook calls in flight in it. */
interface Session {
  worker: BunWorker | null;
  alive: boolean;
  calls: Map<number, PendingCall>;
}

/** What the host remembers of one run. */
interface RunSlot {
  handle: number;
  session: Session;
  started: boolean;
  phasesSent: number;
  actionsSent: number;
  /** An error about its lost worker was recorded on this run: skip quietly from now on. */
  notified: boolean;
}

interface PendingCall {
  slot: RunSlot;
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

const DEAD: Session = { worker: null, alive: false, calls: new Map() };

/** Stand-in schema: the worker checked the output against the real one; this keeps the declared keys for `describe()`. */
function passthrough(keys: string[]): v.GenericSchema {
  if (keys.length === 0) return v.unknown();
  const entries = Object.fromEntries(keys.filter((k) => k !== "*").map((k) => [k, v.optional(v.unknown())]));
  return keys.includes("*") ? v.objectWithRest(entries, v.unknown()) : v.looseObject(entries);
}

/** Loads the plugin module in a worker (calling its factory once) and returns the plugin that stands in for it. */
export async function hostPlugin(options: HostOptions): Promise<VpoPlugin> {
  const { specifier } = options;
  let nextId = 0;
  let nextHandle = 0;
  let current: Session | null = null;
  let restarting: Promise<Session> | null = null;
  let restartFailure: string | null = null;
  const slots = new WeakMap<RunContext, RunSlot>();
  // Probe requests name a run by its handle; weak, so a finished run is not kept alive by us.
  const contexts = new Map<number, WeakRef<RunContext>>();
  // A plugin without afterRun never says when a run ends: forget its state when the run is collected.
  const finalizer = new FinalizationRegistry<{ handle: number; session: Session }>(({ handle, session }) => {
    contexts.delete(handle);
    send(session, { type: "drop", run: handle });
  });

  function send(session: Session, message: ToWorker) {
    if (session.alive) session.worker!.postMessage(message);
  }

  function stop(session: Session, reasonFor: (call: PendingCall) => VpoError) {
    if (!session.alive) return;
    session.alive = false;
    session.worker!.terminate();
    for (const call of session.calls.values()) {
      clearTimeout(call.timer);
      call.slot.notified = true;
      call.reject(reasonFor(call));
    }
    session.calls.clear();
    if (current === session) current = null;
  }

  function dispatch(session: Session, message: FromWorker) {
    if (message.type === "done") {
      const call = session.calls.get(message.id);
      if (!call) return;
      session.calls.delete(message.id);
      clearTimeout(call.timer);
      if (session.calls.size === 0) session.worker!.unref();
      if (message.error) call.reject(new VpoError(message.error.code as ErrorCode, message.error.message));
      else call.resolve(message.value);
    } else if (message.type === "probe") {
      const run = contexts.get(message.run)?.deref();
      if (!run) return send(session, { type: "probed", id: message.id, error: { code: "PLUGIN_HOOK_FAILED", message: "the run has ended" } });
      run.probe(message.path).then(
        (info) => send(session, { type: "probed", id: message.id, info }),
        (error) => send(session, { type: "probed", id: message.id, error: { code: (error as { code?: string }).code ?? "TOOL_FAILED", message: errorMessage(error) } }),
      );
    } else if (message.type === "stray") {
      log.warn("Plugin {plugin} threw outside any hook: {message}", { plugin: specifier, message: message.message });
    }
  }

  /** Starts a worker and loads the plugin in it, within the load budget. */
  function spawn(): Promise<{ session: Session; shape: PluginShape }> {
    const worker = new Worker(WORKER_URL) as BunWorker;
    const session: Session = { worker, alive: true, calls: new Map() };
    let loaded = false;
    return new Promise((resolve, reject) => {
      const fail = (error: VpoError) => {
        clearTimeout(timer);
        stop(session, () => error);
        reject(error);
      };
      const timer = setTimeout(
        () => fail(new VpoError("PLUGIN_LOAD_FAILED", `Cannot load plugin "${specifier}": it did not finish loading within ${options.loadTimeoutMs} ms`)),
        options.loadTimeoutMs,
      );
      worker.onmessage = (event: MessageEvent<FromWorker>) => {
        const message = event.data;
        if (message.type === "loaded") {
          loaded = true;
          clearTimeout(timer);
          worker.onmessage = (e: MessageEvent<FromWorker>) => dispatch(session, e.data);
          // Idle, the worker must not keep vpo running; it is referenced while a hook runs.
          worker.unref();
          resolve({ session, shape: message.shape });
        } else if (message.type === "load-failed") {
          fail(new VpoError(message.error.code as ErrorCode, message.error.message));
        } else {
          dispatch(session, message);
        }
      };
      worker.addEventListener("error", (event) => log.warn("Worker of plugin {plugin} failed: {message}", { plugin: specifier, message: event.message }));
      worker.addEventListener("close", () => {
        if (!loaded) fail(new VpoError("PLUGIN_LOAD_FAILED", `Cannot load plugin "${specifier}": its worker ended while loading`));
        else stop(session, () => new VpoError("PLUGIN_STOPPED", "its worker ended unexpectedly"));
      });
      worker.postMessage({ type: "load", target: options.target, specifier, options: options.options } satisfies ToWorker);
    });
  }

  /** A worker for a run that reaches the plugin for the first time. */
  async function sessionForNewRun(): Promise<Session> {
    if (current) return current;
    if (restartFailure) throw new VpoError("PLUGIN_STOPPED", restartFailure);
    restarting ??= spawn().then(
      ({ session }) => (current = session),
      (error) => {
        restartFailure = `its worker was stopped and could not be restarted: ${errorMessage(error)}`;
        throw new VpoError("PLUGIN_STOPPED", restartFailure);
      },
    ).finally(() => (restarting = null));
    return restarting;
  }

  async function slotFor(run: RunContext): Promise<RunSlot> {
    const known = slots.get(run);
    if (known) return known;
    const slot: RunSlot = { handle: ++nextHandle, session: DEAD, started: false, phasesSent: 0, actionsSent: 0, notified: false };
    slots.set(run, slot);
    try {
      slot.session = await sessionForNewRun();
    } catch (error) {
      slot.notified = true;
      throw error;
    }
    contexts.set(slot.handle, new WeakRef(run));
    finalizer.register(run, { handle: slot.handle, session: slot.session }, slot);
    return slot;
  }

  function endRun(slot: RunSlot) {
    contexts.delete(slot.handle);
    finalizer.unregister(slot);
  }

  async function call(hook: HookName, run: RunContext, arg: unknown, timeoutMs: number): Promise<unknown> {
    const slot = await slotFor(run);
    const session = slot.session;
    if (!session.alive) {
      if (slot.notified) return undefined;
      slot.notified = true;
      throw new VpoError("PLUGIN_STOPPED", "skipped: its worker was stopped earlier in this run, and with it its state for this run");
    }
    const phases = run.phases;
    const actions = run.actions;
    const update: RunUpdate = { filePath: run.filePath, outcome: run.outcome, phases: phases.slice(slot.phasesSent), actions: actions.slice(slot.actionsSent) };
    // The reported phase or action is nearly always the last one: search from the end.
    const index = hook === "onPhase" ? phases.lastIndexOf(arg as never) : hook === "onAction" ? actions.lastIndexOf(arg as never) : -1;
    const message: ToWorker = {
      type: "call",
      id: ++nextId,
      run: slot.handle,
      hook,
      update,
      ...(slot.started ? {} : { start: { id: run.id, policyName: run.policyName, jobId: run.jobId, startedAt: run.startedAt.getTime(), intent: run.intent } }),
      ...(index >= 0 ? { arg: index } : {}),
    };
    try {
      return await new Promise((resolve, reject) => {
        try {
          session.worker!.postMessage(message);
        } catch (error) {
          return reject(new VpoError("PLUGIN_HOOK_FAILED", `cannot pass the run to its worker: ${errorMessage(error)}`));
        }
        slot.started = true;
        slot.phasesSent = phases.length;
        slot.actionsSent = actions.length;
        const pending: PendingCall = {
          slot,
          resolve,
          reject,
          timer: setTimeout(() => {
            stop(session, (c) =>
              c === pending
                ? new VpoError("PLUGIN_TIMEOUT", `exceeded its time budget of ${timeoutMs} ms; its worker was stopped`)
                : new VpoError("PLUGIN_STOPPED", "its worker was stopped because a hook of another run exceeded its time budget"),
            );
          }, timeoutMs),
        };
        if (session.calls.size === 0) session.worker!.ref();
        session.calls.set(message.id, pending);
      });
    } finally {
      if (hook === "afterRun") endRun(slot);
    }
  }

  const { session, shape } = await spawn();
  current = session;

  const plugin: Record<string, unknown> = { name: shape.name, version: shape.version };
  if (shape.description !== undefined) plugin.description = shape.description;
  if (shape.metricKeys) plugin.metrics = passthrough(shape.metricKeys);
  if (shape.facts) plugin.facts = shape.facts;
  for (const [hook, order] of Object.entries(shape.hooks) as [HookName, PluginShape["hooks"][HookName]][]) {
    const budgeted = (args: unknown[], timeoutMs: number) => call(hook, args[0] as RunContext, args[1], timeoutMs);
    const handler = (...args: unknown[]) => budgeted(args, options.defaultHookTimeoutMs);
    markHosted(handler, budgeted);
    plugin[hook] = { order, handler };
  }
  return plugin as unknown as VpoPlugin;
}
