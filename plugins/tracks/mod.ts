/**
 * tracks: how many audio, subtitle and attachment streams the file has before and after a run
 * (→ audio_tracks_*, subtitle_tracks_*, attachments_*; the core derives *_removed), plus
 * video track counts and per-language counts as plugin metrics.
 *
 * Reads the file through `run.probe()`. When the file cannot be read (corrupt, truncated) the
 * hook throws and the runner records a plugin failure on the run; the other plugins' data stays.
 */
import * as v from "valibot";
import { countStreams, definePlugin, type MediaInfo, type RunContext, type StreamType, type VpoPlugin } from "../../core/mod.ts";

const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const nullableCount = v.nullable(count);
/** Per-language stream counts, e.g. { eng: 1, jpn: 1, fre: 1 }; a stream without a language counts as "und". */
const languages = v.nullable(v.record(v.string(), count));

/** What the tracks plugin returns from afterRun; the *_tracks_* and attachments_* counts fill typed columns. */
export const TracksMetricsSchema = v.object({
  audio_tracks_before: nullableCount,
  audio_tracks_after: nullableCount,
  subtitle_tracks_before: nullableCount,
  subtitle_tracks_after: nullableCount,
  attachments_before: nullableCount,
  attachments_after: nullableCount,
  video_tracks_before: nullableCount,
  video_tracks_after: nullableCount,
  audio_languages_before: languages,
  audio_languages_after: languages,
  subtitle_languages_before: languages,
  subtitle_languages_after: languages,
});
/** Output of the tracks plugin. */
export type TracksMetrics = v.InferOutput<typeof TracksMetricsSchema>;

interface Counts {
  audio: number;
  subtitle: number;
  attachment: number;
  video: number;
  audioLanguages: Record<string, number>;
  subtitleLanguages: Record<string, number>;
}

function languagesOf(info: MediaInfo, type: StreamType): Record<string, number> {
  const out: Record<string, number> = {};
  for (const stream of info.streams) {
    if (stream.type !== type) continue;
    const language = stream.language?.trim().toLowerCase() || "und";
    out[language] = (out[language] ?? 0) + 1;
  }
  return out;
}

function countsOf(info: MediaInfo): Counts {
  return {
    audio: countStreams(info, "audio"),
    subtitle: countStreams(info, "subtitle"),
    attachment: countStreams(info, "attachment"),
    video: countStreams(info, "video"),
    audioLanguages: languagesOf(info, "audio"),
    subtitleLanguages: languagesOf(info, "subtitle"),
  };
}

/** Counts of the final file; null when a (failed) run left no file. Unreadable files throw. */
async function countsAfter(run: RunContext): Promise<Counts | null> {
  try {
    return countsOf(await run.probe());
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ENOENT" || code === "FILE_NOT_FOUND") return null;
    throw error;
  }
}

/**
 * Creates the tracks plugin.
 *
 * @example
 * registry.register(createTracksPlugin());
 * // record.audio_tracks_removed, plugin_metrics.tracks["audio_languages_after.eng"]
 */
export function createTracksPlugin(): VpoPlugin<TracksMetrics> {
  const before = new WeakMap<RunContext, Counts>();
  return definePlugin({
    name: "tracks",
    version: "1.0.0",
    description: "Audio, subtitle, attachment and video tracks before and after the run, by language",
    metrics: TracksMetricsSchema,
    facts: ["audio_tracks_before", "audio_tracks_after", "subtitle_tracks_before", "subtitle_tracks_after", "attachments_before", "attachments_after"],
    async beforeRun(run) {
      before.set(run, countsOf(await run.probe()));
    },
    async afterRun(run) {
      const b = before.get(run) ?? null;
      const a = await countsAfter(run);
      return {
        audio_tracks_before: b?.audio ?? null,
        audio_tracks_after: a?.audio ?? null,
        subtitle_tracks_before: b?.subtitle ?? null,
        subtitle_tracks_after: a?.subtitle ?? null,
        attachments_before: b?.attachment ?? null,
        attachments_after: a?.attachment ?? null,
        video_tracks_before: b?.video ?? null,
        video_tracks_after: a?.video ?? null,
        audio_languages_before: b?.audioLanguages ?? null,
        audio_languages_after: a?.audioLanguages ?? null,
        subtitle_languages_before: b?.subtitleLanguages ?? null,
        subtitle_languages_after: a?.subtitleLanguages ?? null,
      };
    },
  });
}

/** The tracks plugin. */
export default createTracksPlugin();
