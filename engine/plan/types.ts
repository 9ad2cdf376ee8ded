/**
 * What the planner produces: per phase, the actions a policy causes (each with the rule that
 * caused it) and the state of the file the phase should leave behind.
 */
import type { MediaStream, RunIntent, StreamType } from "../../core/mod.ts";

export type ActionType = "remove" | "keep" | "transcode" | "skip_transcode" | "container";

/** A track followed through the phases; `sourceIndex` is its stream index in the original file. */
export interface PlannedTrack extends MediaStream {
  sourceIndex: number;
}

/** A file as a phase sees it: container and tracks, in the order ffmpeg will write them. */
export interface MediaState {
  /** ffprobe's container name ("matroska", "mov", …). */
  container: string | null;
  /** File extension including the dot, e.g. ".mkv". */
  ext: string;
  durationSeconds: number | null;
  bitRate: number | null;
  tracks: PlannedTrack[];
}

export interface PlannedAction {
  type: ActionType;
  trackType: StreamType | null;
  /** Stream index in the original file (null for file-level actions). */
  trackIndex: number | null;
  before: unknown;
  after: unknown;
  /** The policy rule that caused it, e.g. "phases[0].keep_audio.languages". */
  rule: string;
  message: string;
}

/** How one output stream is encoded; streams without one are copied. */
export interface EncodeSpec {
  encoder: string;
  /** Codec name ffprobe will report afterwards, e.g. "hevc" for libx265. */
  codec: string;
  /** Per-stream options as [flag, value]; the builder appends the output stream specifier to each flag. */
  options: [string, string][];
  /** Scale to this many lines (video only). */
  scaleHeight?: number;
  /**
   * ffmpeg 4.1 (the npm build) refuses this encoder, or this codec in this container, without
   * `-strict experimental`: libaom-av1 anywhere, Opus in MP4. Newer builds accept the flag too.
   */
  experimental?: true;
}

export interface PhasePlan {
  index: number;
  name: string;
  actions: PlannedAction[];
  /** Whether the phase rewrites the file; a phase without changes runs no ffmpeg. */
  changes: boolean;
  input: MediaState;
  output: MediaState;
  /** sourceIndex → encoding of that track in this phase. */
  encodes: Map<number, EncodeSpec>;
  /** This phase's share of the run intent (what the transcode plugin is told); empty when it plans no video transcode. */
  intent: RunIntent;
}

export interface FilePlan {
  path: string;
  /** Where the file ends up: `path`, or a new extension after a container change. */
  finalPath: string;
  source: MediaState;
  phases: PhasePlan[];
  changes: boolean;
  /** What the transcode plugin is told: target codec, skip reason, encoder. */
  intent: RunIntent;
}

/** A track's user-visible state, for action before/after. */
export function trackState(track: MediaStream): Record<string, unknown> {
  return {
    codec: track.codec,
    language: track.language,
    title: track.title,
    default: track.isDefault,
    forced: track.isForced,
    ...(track.type === "video" ? { width: track.width ?? null, height: track.height ?? null } : {}),
    ...(track.type === "audio" ? { channels: track.channels ?? null } : {}),
  };
}
