/** Messages between a plugin host (main thread) and its plugin worker. Everything is structured-cloned. */
import type { MediaInfo } from "../media.ts";
import type { ActionReport, HookName, HookOrder, PhaseReport, RunContext, RunIntent } from "../plugin.ts";

/** What the main thread learns of a plugin loaded in a worker: enough to register a stand-in. */
export interface PluginShape {
  name: string;
  version: string;
  description?: string;
  facts?: string[];
  /** Declared metric keys (see registry `metricKeys`); null when it declares no metrics schema. */
  metricKeys: string[] | null;
  hooks: Partial<Record<HookName, HookOrder | null>>;
}

/** The parts of a run that never change; sent with the first call of a run. */
export interface RunStart {
  id: string;
  policyName: string;
  jobId: string | null;
  startedAt: number;
  intent: RunIntent;
}

/** What changed since the previous call of this run: phases and actions are the new ones only. */
export interface RunUpdate {
  filePath: string;
  outcome: RunContext["outcome"];
  phases: PhaseReport[];
  actions: ActionReport[];
}

export interface WireError {
  code: string;
  message: string;
}

export type ToWorker =
  | { type: "load"; target: string; specifier: string; options: Record<string, unknown> | undefined }
  /** `run` is the host's number for a run; `arg` the index of the phase or action reported. */
  | { type: "call"; id: number; run: number; hook: HookName; start?: RunStart; update: RunUpdate; arg?: number }
  | { type: "drop"; run: number }
  | { type: "probed"; id: number; info?: MediaInfo; error?: WireError };

export type FromWorker =
  | { type: "loaded"; shape: PluginShape }
  | { type: "load-failed"; error: WireError }
  | { type: "done"; id: number; value?: unknown; error?: WireError }
  | { type: "probe"; id: number; run: number; path?: string }
  /** An error thrown outside any hook (a timer, an unawaited promise): logged, the worker goes on. */
  | { type: "stray"; message: string };
