import type * as v from "valibot";
import type { MediaInfo, StreamType } from "./media.ts";
import type { RUN_FACT_KEYS } from "./record/mod.ts";

/** A typed column of the run record that a plugin may fill, e.g. "size_before". */
export type RunFactKey = (typeof RUN_FACT_KEYS)[number];

/** Where a hook runs relative to others: all "pre", then unordered, then all "post". */
export type HookOrder = "pre" | "post";

type Awaitable<T> = T | Promise<T>;
export type HookHandler<A extends unknown[], R = void> = (...args: A) => Awaitable<R>;
/** A hook is a function, or `{ order, handler }` as in Rollup. */
export type Hook<A extends unknown[], R = void> = HookHandler<A, R> | { order?: HookOrder | null; handler: HookHandler<A, R> };

/** What the engine means to do, when it knows (from a policy plan or a command line). */
export interface RunIntent {
  /** Codec the video should end up in, e.g. "hevc". */
  videoTargetCodec?: string | null;
  /** Why the video transcode was skipped, e.g. "codec_matches". */
  videoSkipReason?: string | null;
  /** ffmpeg encoder name used for video, e.g. "libx265" or "hevc_nvenc". */
  videoEncoder?: string | null;
}

/**
 * One processing run of one file, as plugins see it: a frozen, read-only view. Every hook of one
 * run gets the same object, so per-run state belongs in a `WeakMap` keyed by it. Its lists are
 * read-only and its reports frozen copies: nothing a plugin does to them reaches the record or
 * the other plugins.
 */
export interface RunContext {
  readonly id: string;
  /** Absolute path of the file being processed; after the run, its final state. */
  readonly filePath: string;
  readonly policyName: string;
  readonly jobId: string | null;
  readonly startedAt: Date;
  readonly intent: RunIntent;
  /** Reads a media file (default: the run's file). Results are cached per path, size and mtime. */
  probe(path?: string): Promise<MediaInfo>;
  /** Phases reported so far, in order. */
  readonly phases: readonly PhaseReport[];
  /** Actions reported so far, in order. */
  readonly actions: readonly ActionReport[];
  /** Whether the run has succeeded; set before afterRun. */
  readonly outcome: { success: boolean; status: "success" | "failed" | "interrupted"; error: string | null } | null;
}

/** A finished phase: timing measured by the runner, I/O and encoder figures reported by the engine. */
export interface PhaseReport {
  index: number;
  name: string;
  startedAt: Date;
  wallTimeSeconds: number;
  bytesRead: number | null;
  bytesWritten: number | null;
  encodingFps: number | null;
  /** bits per second */
  encodingBitrate: number | null;
  success: boolean;
}

/** One action on the file: removing, keeping or transcoding a track, changing the container, running a command. */
export interface ActionReport {
  type: string;
  trackType: StreamType | null;
  trackIndex: number | null;
  before: unknown;
  after: unknown;
  success: boolean;
  durationMs: number | null;
  /** The policy rule that caused it, e.g. "phases[0].keep_audio.languages". */
  rule: string | null;
  message: string | null;
}

/** The metrics a plugin returns from afterRun: flat or nested plain values. */
export type PluginMetrics = Record<string, unknown>;

/** The capture-hook contract every plugin — built-in or third-party — implements. */
export interface VpoPlugin<M extends PluginMetrics = PluginMetrics> {
  /** Unique, /^[a-z][a-z0-9-]*$/; also the namespace of its metrics. */
  name: string;
  version: string;
  description?: string;
  /** valibot schema of what afterRun returns; validated before anything is stored. */
  metrics?: v.GenericSchema<unknown, M>;
  /**
   * The typed run facts (columns of the run record, see `RUN_FACT_KEYS`) this plugin fills, e.g.
   * `["size_before", "size_after"]`. Each fact has at most one owner among the registered
   * plugins; a fact returned by any other plugin is refused and recorded as PLUGIN_FACT_NOT_OWNED.
   */
  facts?: readonly RunFactKey[];
  /** Before the file is touched. */
  beforeRun?: Hook<[run: RunContext]>;
  /** After each phase. */
  onPhase?: Hook<[run: RunContext, phase: PhaseReport]>;
  /** After each action. */
  onAction?: Hook<[run: RunContext, action: ActionReport]>;
  /** After the run, success or failure; returns this plugin's metrics. */
  afterRun?: Hook<[run: RunContext], M | void>;
}

export const HOOK_NAMES = ["beforeRun", "onPhase", "onAction", "afterRun"] as const;
export type HookName = (typeof HOOK_NAMES)[number];

/**
 * Typing-only identity helper for writing a plugin; `facts` must name keys of its metrics.
 *
 * @example
 * export default definePlugin({
 *   name: "subtitle-words", version: "1.0.0",
 *   metrics: v.object({ words: v.number() }),
 *   afterRun: async (run) => ({ words: await countWords(run.filePath) }),
 * });
 */
export function definePlugin<M extends PluginMetrics>(plugin: VpoPlugin<M> & { facts?: readonly (RunFactKey & keyof M)[] }): VpoPlugin<M> {
  return plugin;
}
