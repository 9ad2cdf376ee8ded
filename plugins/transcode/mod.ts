/**
 * transcode: what happened to the codecs (→ video_source_codec, video_target_codec,
 * video_transcode_skipped, video_skip_reason, audio_tracks_transcoded, audio_tracks_preserved,
 * encoder_type).
 *
 * Video ("the" video stream is the first stream of type video; cover art is an attachment):
 * - source = its codec before the run; target = its codec after, or `run.intent.videoTargetCodec`
 *   when the run failed (the file then still holds the source, so the intent says more).
 * - skipped = true with the intent's reason when `run.intent.videoSkipReason` is set; false when
 *   a video transcode happened (the codec changed, or the engine reported a successful
 *   "transcode" action on a video track) or was attempted by a failed run with a target codec;
 *   otherwise null (no transcode intended, codec unchanged), reason null.
 * - video_height: the picture height of that stream before the run (what the run had to decode
 *   and scale; performance series are split by it).
 * - encoder_type: "hardware" for encoder names ending in _nvenc, _vaapi, _qsv, _amf,
 *   _videotoolbox, _v4l2m2m or _mediacodec, "software" for any other name; taken from
 *   `run.intent.videoEncoder`, else from the last video "transcode" action's `after.encoder`;
 *   null when skipped is not false or no encoder name is known.
 *
 * Audio:
 * - When the engine reported "transcode" actions on audio tracks: transcoded = the successful
 *   ones (0 when the run failed: the file was not replaced); preserved = audio tracks after − transcoded.
 * - Otherwise a heuristic: when the file has as many audio tracks after as before, tracks are
 *   paired by position and a changed codec counts as transcoded, an equal one as preserved.
 *   When the counts differ, which track survived is unknown, so both are null.
 */
import * as v from "valibot";
import { definePlugin, type ActionReport, type MediaInfo, type RunContext, type VpoPlugin } from "../../core/mod.ts";

const text = v.nullable(v.string());
const count = v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0)));

/** What the transcode plugin returns from afterRun; every key but video_encoder fills a typed column. */
export const TranscodeMetricsSchema = v.object({
  video_source_codec: text,
  video_target_codec: text,
  video_transcode_skipped: v.nullable(v.boolean()),
  video_skip_reason: text,
  video_height: count,
  audio_tracks_transcoded: count,
  audio_tracks_preserved: count,
  encoder_type: v.nullable(v.picklist(["hardware", "software"])),
  /** The video encoder's name when a video transcode happened, e.g. "libx265". */
  video_encoder: text,
});
/** Output of the transcode plugin. */
export type TranscodeMetrics = v.InferOutput<typeof TranscodeMetricsSchema>;

const HARDWARE_SUFFIXES = ["_nvenc", "_vaapi", "_qsv", "_amf", "_videotoolbox", "_v4l2m2m", "_mediacodec"];

/** "hevc_nvenc" → "hardware", "libx265" → "software". */
export function encoderType(encoder: string): "hardware" | "software" {
  const name = encoder.trim().toLowerCase();
  return HARDWARE_SUFFIXES.some((suffix) => name.endsWith(suffix)) ? "hardware" : "software";
}

interface Codecs {
  video: string | null;
  height: number | null;
  audio: (string | null)[];
}

function codecsOf(info: MediaInfo): Codecs {
  const video = info.streams.find((s) => s.type === "video");
  const height = video?.height;
  return {
    video: video?.codec ?? null,
    height: typeof height === "number" && Number.isInteger(height) && height > 0 ? height : null,
    audio: info.streams.filter((s) => s.type === "audio").map((s) => s.codec),
  };
}

/** Codecs of the final file; null when a (failed) run left no file. Unreadable files throw. */
async function codecsAfter(run: RunContext): Promise<Codecs | null> {
  try {
    return codecsOf(await run.probe());
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ENOENT" || code === "FILE_NOT_FOUND") return null;
    throw error;
  }
}

const transcodes = (run: RunContext, trackType: "video" | "audio") =>
  run.actions.filter((a) => a.type === "transcode" && a.trackType === trackType);

function encoderOf(action: ActionReport | undefined): string | null {
  const after = action?.after as { encoder?: unknown } | null | undefined;
  return typeof after?.encoder === "string" && after.encoder !== "" ? after.encoder : null;
}

function audioCounts(run: RunContext, failed: boolean, before: Codecs | null, after: Codecs | null) {
  const reported = transcodes(run, "audio");
  if (reported.length > 0) {
    const transcoded = failed ? 0 : reported.filter((a) => a.success).length;
    return { transcoded, preserved: after ? Math.max(0, after.audio.length - transcoded) : null };
  }
  if (!before || !after || before.audio.length !== after.audio.length) return { transcoded: null, preserved: null };
  const changed = after.audio.filter((codec, i) => codec !== before.audio[i]).length;
  return { transcoded: changed, preserved: after.audio.length - changed };
}

/**
 * Creates the transcode plugin.
 *
 * @example
 * registry.register(createTranscodePlugin());
 * await capture.begin({ filePath, policyName, intent: { videoTargetCodec: "hevc", videoEncoder: "hevc_nvenc" } });
 */
export function createTranscodePlugin(): VpoPlugin<TranscodeMetrics> {
  const before = new WeakMap<RunContext, Codecs>();
  return definePlugin({
    name: "transcode",
    version: "1.0.0",
    description: "Video and audio codecs before and after the run, skips and encoder type",
    metrics: TranscodeMetricsSchema,
    facts: ["video_source_codec", "video_target_codec", "video_transcode_skipped", "video_skip_reason", "video_height", "audio_tracks_transcoded", "audio_tracks_preserved", "encoder_type"],
    async beforeRun(run) {
      before.set(run, codecsOf(await run.probe()));
    },
    async afterRun(run) {
      const b = before.get(run) ?? null;
      const failed = run.outcome?.success === false;
      const a = await codecsAfter(run);
      const intent = run.intent;
      const videoActions = transcodes(run, "video");
      const source = b?.video ?? null;
      const target = failed ? (intent.videoTargetCodec ?? null) : (a?.video ?? null);

      let skipped: boolean | null = null;
      let reason: string | null = null;
      if (intent.videoSkipReason) {
        skipped = true;
        reason = intent.videoSkipReason;
      } else if (failed ? Boolean(intent.videoTargetCodec) || videoActions.length > 0
        : (source !== null && target !== null && source !== target) || videoActions.some((x) => x.success)) {
        skipped = false;
      }

      const encoder = skipped === false ? (intent.videoEncoder || encoderOf(videoActions.at(-1))) : null;
      const audio = audioCounts(run, failed, b, a);
      return {
        video_source_codec: source,
        video_target_codec: target,
        video_transcode_skipped: skipped,
        video_skip_reason: reason,
        video_height: b?.height ?? null,
        audio_tracks_transcoded: audio.transcoded,
        audio_tracks_preserved: audio.preserved,
        encoder_type: encoder ? encoderType(encoder) : null,
        video_encoder: encoder ?? null,
      };
    },
  });
}

/** The transcode plugin. */
export default createTranscodePlugin();
