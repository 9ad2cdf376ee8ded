/**
 * transcode rules: video (with skip_if, all conditions must hold) and audio (preserve list).
 */
import type { RunIntent } from "../../core/mod.ts";
import { PRESETS, type AudioTranscode, type VideoTranscode } from "../policy/schema.ts";
import { normalizeCodec } from "../policy/units.ts";
import { type EncodeSpec, type PlannedAction, type PlannedTrack, trackState } from "./types.ts";

export interface TranscodePlan {
  tracks: PlannedTrack[];
  actions: PlannedAction[];
  encodes: Map<number, EncodeSpec>;
  intent: RunIntent;
}

const VIDEO_ENCODERS = { hevc: "libx265", h264: "libx264", av1: "libaom-av1", vp9: "libvpx-vp9" } as const;
const AUDIO_ENCODERS = { aac: "aac", opus: "libopus", ac3: "ac3", eac3: "eac3" } as const;

/** Encoder options for a video target; presets map onto libaom/libvpx speed scales. */
function videoSpec(video: VideoTranscode, ext: string, scaleHeight: number | undefined): EncodeSpec {
  const encoder = VIDEO_ENCODERS[video.to];
  const speed = PRESETS.indexOf(video.preset ?? "medium"); // 0 fastest … 9 slowest
  const options: [string, string][] = [];
  if (video.to === "hevc" || video.to === "h264") {
    if (video.crf !== undefined) options.push(["-crf", String(video.crf)]);
    if (video.preset) options.push(["-preset", video.preset]);
    if (video.to === "hevc") options.push(["-x265-params", "log-level=error"]);
    if (video.to === "hevc" && ext === ".mp4") options.push(["-tag", "hvc1"]); // plays on Apple devices
  } else {
    options.push(["-crf", String(video.crf ?? (video.to === "av1" ? 30 : 31))], ["-b", "0"]);
    options.push(["-cpu-used", String(video.to === "av1" ? Math.max(0, 8 - speed) : Math.max(0, 5 - Math.floor(speed / 2)))]);
  }
  return { encoder, codec: video.to, options, ...(scaleHeight ? { scaleHeight } : {}), ...(video.to === "av1" ? { experimental: true as const } : {}) };
}

interface Condition {
  name: "codec_matches" | "resolution_within" | "bitrate_under";
  holds: boolean;
  detail: string;
}

function skipConditions(track: PlannedTrack, fileBitRate: number | null, skipIf: NonNullable<VideoTranscode["skip_if"]>): Condition[] {
  const out: Condition[] = [];
  const codec = normalizeCodec(track.codec);
  if (skipIf.codec_matches) {
    const list = skipIf.codec_matches.map(normalizeCodec);
    out.push({ name: "codec_matches", holds: codec !== null && list.includes(codec), detail: `codec ${codec ?? "unknown"} ${list.includes(codec) ? "is" : "is not"} in [${skipIf.codec_matches.join(", ")}]` });
  }
  if (skipIf.resolution_within !== undefined) {
    const h = track.height ?? null;
    out.push({ name: "resolution_within", holds: h !== null && h <= skipIf.resolution_within, detail: `height ${h ?? "unknown"} vs ${skipIf.resolution_within}p` });
  }
  if (skipIf.bitrate_under !== undefined) {
    const rate = track.bitRate ?? fileBitRate;
    out.push({ name: "bitrate_under", holds: rate !== null && rate < skipIf.bitrate_under, detail: `bitrate ${rate ?? "unknown"} vs ${skipIf.bitrate_under} bit/s` });
  }
  return out;
}

/**
 * Video: every video track is transcoded to `to`, unless all skip_if conditions hold (reason:
 * the conditions, e.g. "codec_matches"), or — when there is no skip_if — it already is in `to`
 * and needs no scaling (reason "already_target_codec"). A skip_if that does not hold means
 * transcode, even into the same codec (e.g. to bring the bitrate down). The first video track
 * decides the run's intent.
 */
export function planVideo(tracks: PlannedTrack[], video: VideoTranscode, base: string, ext: string, fileBitRate: number | null): TranscodePlan {
  const actions: PlannedAction[] = [];
  const encodes = new Map<number, EncodeSpec>();
  let intent: RunIntent | null = null;
  const out = tracks.map((track) => {
    if (track.type !== "video") return track;
    const before = trackState(track);
    const tooTall = video.max_resolution !== undefined && (track.height ?? 0) > video.max_resolution;
    const conditions = video.skip_if ? skipConditions(track, fileBitRate, video.skip_if) : [];
    let reason: string | null = null;
    let rule = `${base}.to`;
    let message = "";
    if (conditions.length > 0 && conditions.every((c) => c.holds)) {
      reason = conditions.map((c) => c.name).join("+");
      rule = `${base}.skip_if.${conditions[0]!.name}`;
      message = `skipped: ${conditions.map((c) => c.detail).join("; ")}`;
    } else if (!video.skip_if && normalizeCodec(track.codec) === video.to && !tooTall) {
      // Without skip_if, re-encoding into the same codec would only lose quality.
      reason = "already_target_codec";
      message = `skipped: already ${video.to}`;
    }
    if (reason) {
      actions.push({ type: "skip_transcode", trackType: "video", trackIndex: track.sourceIndex, before, after: before, rule, message });
      intent ??= { videoTargetCodec: video.to, videoSkipReason: reason, videoEncoder: null };
      return track;
    }
    const scaleHeight = tooTall ? video.max_resolution : undefined;
    const spec = videoSpec(video, ext, scaleHeight);
    encodes.set(track.sourceIndex, spec);
    const width = scaleHeight && track.width && track.height ? 2 * Math.round((track.width * scaleHeight) / track.height / 2) : track.width;
    const next = { ...track, codec: spec.codec, height: scaleHeight ?? track.height, width };
    const scaled = scaleHeight ? `, scaled to ${scaleHeight}p` : "";
    actions.push({ type: "transcode", trackType: "video", trackIndex: track.sourceIndex, before, after: { ...trackState(next), encoder: spec.encoder }, rule, message: `${track.codec ?? "unknown"} → ${video.to} with ${spec.encoder}${scaled}${conditions.length ? ` (not skipped: ${conditions.filter((c) => !c.holds).map((c) => c.detail).join("; ")})` : ""}` });
    intent ??= { videoTargetCodec: video.to, videoSkipReason: null, videoEncoder: spec.encoder };
    return next;
  });
  return { tracks: out, actions, encodes, intent: intent ?? {} };
}

/** Audio: codecs in `preserve` and tracks already in `to` are copied; the rest are transcoded to `to`. */
export function planAudio(tracks: PlannedTrack[], audio: AudioTranscode, base: string, ext: string): TranscodePlan {
  const actions: PlannedAction[] = [];
  const encodes = new Map<number, EncodeSpec>();
  const preserve = audio.preserve.map(normalizeCodec);
  const out = tracks.map((track) => {
    if (track.type !== "audio") return track;
    const codec = normalizeCodec(track.codec);
    const before = trackState(track);
    if (codec !== null && preserve.includes(codec)) {
      actions.push({ type: "keep", trackType: "audio", trackIndex: track.sourceIndex, before, after: before, rule: `${base}.preserve`, message: `${codec} is preserved` });
      return track;
    }
    if (codec === audio.to) {
      actions.push({ type: "keep", trackType: "audio", trackIndex: track.sourceIndex, before, after: before, rule: `${base}.to`, message: `already ${audio.to}` });
      return track;
    }
    const encoder = AUDIO_ENCODERS[audio.to];
    const options: [string, string][] = audio.bitrate ? [["-b", String(audio.bitrate)]] : [];
    encodes.set(track.sourceIndex, { encoder, codec: audio.to, options, ...(audio.to === "opus" && ext === ".mp4" ? { experimental: true as const } : {}) });
    const next = { ...track, codec: audio.to };
    actions.push({ type: "transcode", trackType: "audio", trackIndex: track.sourceIndex, before, after: { ...trackState(next), encoder }, rule: `${base}.to`, message: `${track.codec ?? "unknown"} → ${audio.to}${audio.bitrate ? ` at ${audio.bitrate / 1000}k` : ""}` });
    return next;
  });
  return { tracks: out, actions, encodes, intent: {} };
}
