/**
 * Containers: which ffmpeg muxer writes an extension, and what a container change does to the
 * tracks (MP4 holds neither fonts nor bitmap subtitles; Matroska holds no data streams).
 */
import type { CONTAINERS } from "../policy/schema.ts";
import { type EncodeSpec, type MediaState, type PlannedAction, type PlannedTrack, trackState } from "./types.ts";

const MUXERS: Record<string, string> = {
  ".mkv": "matroska", ".webm": "webm", ".mp4": "mp4", ".m4v": "mp4", ".mov": "mov", ".avi": "avi", ".ts": "mpegts", ".m2ts": "mpegts",
};

/** The ffmpeg muxer for a file extension ("matroska" for ".mkv"). */
export function muxerFor(ext: string): string {
  return MUXERS[ext.toLowerCase()] ?? "matroska";
}

const TARGETS = {
  mkv: { ext: ".mkv", container: "matroska", accepts: [".mkv"] },
  mp4: { ext: ".mp4", container: "mov", accepts: [".mp4", ".m4v"] },
} as const;

const TEXT_SUBTITLES = new Set(["subrip", "srt", "ass", "ssa", "webvtt", "text", "mov_text"]);
const COVER_ART = new Set(["mjpeg", "png", "bmp", "gif", "webp"]);

export interface ContainerPlan {
  tracks: PlannedTrack[];
  actions: PlannedAction[];
  encodes: Map<number, EncodeSpec>;
  ext: string;
  container: string | null;
}

/** Whether `state` already is the target container with a fitting extension. */
export function isContainer(state: MediaState, target: (typeof CONTAINERS)[number]): boolean {
  const t = TARGETS[target];
  return state.container === t.container && (t.accepts as readonly string[]).includes(state.ext.toLowerCase());
}

/** container.target: remux into mkv or mp4, converting or dropping what the target cannot hold. */
export function planContainer(state: MediaState, tracks: PlannedTrack[], target: (typeof CONTAINERS)[number], base: string): ContainerPlan {
  if (isContainer(state, target)) return { tracks, actions: [], encodes: new Map(), ext: state.ext, container: state.container };
  const rule = `${base}.target`;
  const t = TARGETS[target];
  const actions: PlannedAction[] = [];
  const encodes = new Map<number, EncodeSpec>();
  const kept: PlannedTrack[] = [];
  for (const track of tracks) {
    const before = trackState(track);
    const remove = (why: string) => actions.push({ type: "remove", trackType: track.type, trackIndex: track.sourceIndex, before, after: null, rule, message: why });
    const convert = (codec: string) => {
      encodes.set(track.sourceIndex, { encoder: codec === "subrip" ? "srt" : codec, codec, options: [] });
      const next = { ...track, codec };
      actions.push({ type: "transcode", trackType: track.type, trackIndex: track.sourceIndex, before, after: trackState(next), rule, message: `${track.codec} → ${codec} for ${target}` });
      kept.push(next);
    };
    if (target === "mp4" && track.type === "subtitle") {
      if (!TEXT_SUBTITLES.has(track.codec ?? "")) remove(`mp4 cannot hold ${track.codec ?? "these"} subtitles`);
      else if (track.codec !== "mov_text") convert("mov_text");
      else kept.push(track);
    } else if (target === "mp4" && track.type === "attachment" && !COVER_ART.has(track.codec ?? "")) {
      remove(`mp4 cannot hold ${track.codec ?? ""} attachments`.replace("  ", " "));
    } else if (target === "mkv" && track.type === "subtitle" && track.codec === "mov_text") {
      convert("subrip");
    } else if (target === "mkv" && track.type === "data") {
      remove("mkv cannot hold data streams");
    } else {
      kept.push(track);
    }
  }
  actions.push({
    type: "container", trackType: null, trackIndex: null,
    before: { container: state.container, ext: state.ext }, after: { container: t.container, ext: t.ext },
    rule, message: `${state.container ?? "unknown"} (${state.ext}) → ${target}`,
  });
  return { tracks: kept, actions, encodes, ext: t.ext, container: t.container };
}
