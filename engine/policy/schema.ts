/**
 * The policy file format: the subset of VPO's schema_version 13 that vpo executes.
 * Every object is strict: an unknown key is an error (with a did-you-mean when one is close).
 */
import * as v from "valibot";
import { fieldSchema } from "../../core/mod.ts";
import { parseBitrate, parseResolution } from "./units.ts";

const language = v.pipe(
  v.string(),
  v.trim(),
  v.toLowerCase(),
  v.regex(/^[a-z]{3}$/, (issue) => `Expected an ISO 639-2 language code like "eng" but received ${JSON.stringify(issue.input)}`),
);
const languages = v.pipe(v.array(language, "Expected a list of ISO 639-2 language codes like [eng, jpn]"), v.minLength(1, "Expected at least one language"));
const codecName = v.pipe(v.string(), v.trim(), v.toLowerCase(), v.minLength(1));

const bitrate = v.pipe(
  v.union([v.string(), v.number()], 'Expected a bitrate like "15M" or "192k"'),
  v.check((x) => parseBitrate(x) !== null, (issue) => `Expected a bitrate like "15M" or "192k" but received ${JSON.stringify(issue.input)}`),
  v.transform((x) => parseBitrate(x)!),
);
const resolution = v.pipe(
  v.union([v.string(), v.number()], 'Expected a resolution like "1080p" or "4k"'),
  v.check((x) => parseResolution(x) !== null, (issue) => `Expected a resolution like "720p", "1080p" or "4k" but received ${JSON.stringify(issue.input)}`),
  v.transform((x) => parseResolution(x)!),
);

/** x264/x265 speed presets, fastest first; other encoders map them onto their own speed scale. */
export const PRESETS = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo"] as const;
export const VIDEO_CODECS = ["hevc", "h264", "av1", "vp9"] as const;
export const AUDIO_CODECS = ["aac", "opus", "ac3", "eac3"] as const;
export const CONTAINERS = ["mkv", "mp4"] as const;
export const ON_ERROR = ["skip", "continue", "fail"] as const;

const KeepAudioSchema = v.strictObject({
  /** Languages to keep; default: config.audio_languages. A track without a language is "und". */
  languages: v.optional(languages),
  /** Never keep fewer audio tracks than this, whatever their language. */
  minimum: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 1),
});

const KeepSubtitlesSchema = v.strictObject({
  languages: v.optional(languages),
  /** Keep forced subtitles whatever their language (and even with remove_all). */
  preserve_forced: v.optional(v.boolean(), false),
  remove_all: v.optional(v.boolean(), false),
});

const SkipIfSchema = v.pipe(
  v.strictObject({
    codec_matches: v.optional(v.array(codecName)),
    resolution_within: v.optional(resolution),
    bitrate_under: v.optional(bitrate),
  }),
  v.check((s) => Object.keys(s).length > 0, "Expected at least one of codec_matches, resolution_within, bitrate_under"),
);

const VideoTranscodeSchema = v.strictObject({
  to: v.picklist(VIDEO_CODECS, `Expected one of ${VIDEO_CODECS.join(", ")}`),
  crf: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(63))),
  preset: v.optional(v.picklist(PRESETS, `Expected one of ${PRESETS.join(", ")}`)),
  max_resolution: v.optional(resolution),
  /** Skip the transcode when every condition given holds. */
  skip_if: v.optional(SkipIfSchema),
});

const AudioTranscodeSchema = v.strictObject({
  /** Codecs copied as they are (lossless audio, typically). */
  preserve: v.optional(v.array(codecName), []),
  to: v.picklist(AUDIO_CODECS, `Expected one of ${AUDIO_CODECS.join(", ")}`),
  bitrate: v.optional(bitrate),
});

const PhaseSchema = v.strictObject({
  name: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.-]+$/, "Expected a name of letters, digits, _, . or -")),
  keep_audio: v.optional(KeepAudioSchema),
  keep_subtitles: v.optional(KeepSubtitlesSchema),
  filter_attachments: v.optional(v.strictObject({ remove_all: v.optional(v.boolean(), false) })),
  transcode: v.optional(v.strictObject({ video: v.optional(VideoTranscodeSchema), audio: v.optional(AudioTranscodeSchema) })),
  container: v.optional(v.strictObject({ target: v.picklist(CONTAINERS, `Expected one of ${CONTAINERS.join(", ")}`) })),
});

/** A policy file. */
export const PolicySchema = v.strictObject({
  schema_version: v.literal(13, (issue) => `Expected 13 (the policy format vpo reads) but received ${JSON.stringify(issue.input)}`),
  // Runs are recorded under it: what a run record refuses (too long, a NUL) must be refused here,
  // before a run has changed a file it then cannot record.
  name: v.optional(fieldSchema("policy_name") as v.GenericSchema<string>),
  description: v.optional(v.string()),
  config: v.optional(
    v.strictObject({
      audio_languages: v.optional(languages),
      subtitle_languages: v.optional(languages),
      /** What a failed file does to the batch: skip it, continue its remaining phases, or stop. */
      on_error: v.optional(v.picklist(ON_ERROR, `Expected one of ${ON_ERROR.join(", ")}`), "skip"),
    }),
    { on_error: "skip" },
  ),
  phases: v.pipe(
    v.array(PhaseSchema, "Expected a list of phases"),
    v.minLength(1, "Expected at least one phase"),
    v.check((phases) => new Set(phases.map((p) => p.name)).size === phases.length, "Expected every phase to have its own name"),
  ),
});

export type Policy = v.InferOutput<typeof PolicySchema>;
export type PolicyPhase = Policy["phases"][number];
export type VideoTranscode = v.InferOutput<typeof VideoTranscodeSchema>;
export type AudioTranscode = v.InferOutput<typeof AudioTranscodeSchema>;
export type OnError = (typeof ON_ERROR)[number];
