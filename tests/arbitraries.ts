/**
 * fast-check arbitraries for run records in the import format: every field within the bounds the
 * record accepts (core/record/fields.ts), over a few days, policies, libraries and nodes, so
 * random histories exercise whole days, edge days and every grouping.
 */
import fc from "fast-check";
import { MAX_BYTES, MAX_SECONDS, type RunRecordInput } from "../core/mod.ts";

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 30);

/** An instant within four days from 2026-01-30, to the millisecond, often exactly on midnight. */
export const instant = fc.oneof(
  fc.integer({ min: 0, max: 4 * DAY - 1 }).map((ms) => new Date(START + ms).toISOString()),
  fc.integer({ min: 0, max: 3 }).map((d) => new Date(START + d * DAY).toISOString()),
);

const bytes = fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: MAX_BYTES }), fc.constant(MAX_BYTES));
const tracks = fc.integer({ min: 0, max: 8 });
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });

/** One run: success, failure or interruption, with any mix of known and unknown facts. */
export const runArb: fc.Arbitrary<RunRecordInput> = fc
  .record({
    id: fc.uuid({ version: 4 }),
    file_path: fc.constantFrom("/m/a.mkv", "/m/b.mkv", "/m/c.mp4", "/m/d e,f.mkv"),
    processed_at: instant,
    policy_name: fc.constantFrom("strip", "transcode", "remux"),
    // Mostly none: fewer rollup keys, so later batches often add to rows earlier ones made.
    library: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constant("movies") }, { weight: 1, arbitrary: fc.constant("tv") }),
    node: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constant("alpha") }, { weight: 1, arbitrary: fc.constant("beta") }),
    outcome: fc.constantFrom("success", "failed", "interrupted"),
    // Several failure reasons: messages that differ after their first line, in spacing, or are missing.
    message: fc.constantFrom("for a test", "ffmpeg exited with code 1\nframe= 12", "ffmpeg  exited with code 1 ", null),
    size_before: maybe(bytes),
    size_after: maybe(bytes),
    audio: fc.tuple(maybe(tracks), maybe(tracks)),
    subs: fc.tuple(maybe(tracks), maybe(tracks)),
    attachments: fc.tuple(maybe(tracks), maybe(tracks)),
    duration_seconds: maybe(fc.oneof(fc.double({ min: 0, max: 7200, noNaN: true }), fc.constant(MAX_SECONDS))),
    video_transcode_skipped: maybe(fc.boolean()),
    encoder_type: maybe(fc.constantFrom("hardware" as const, "software" as const)),
    audio_tracks_transcoded: maybe(tracks),
    video_source_codec: maybe(fc.constantFrom("h264", "hevc", "mpeg2video")),
    metric: maybe(fc.integer({ min: -1000, max: 1000 })),
    fps: maybe(fc.double({ min: 0.5, max: 500, noNaN: true })),
  })
  .map((r) => ({
    id: r.id,
    file_path: r.file_path,
    processed_at: r.processed_at,
    policy_name: r.policy_name,
    library: r.library,
    node: r.node,
    success: r.outcome === "success",
    status: r.outcome as "success" | "failed" | "interrupted",
    error_message: r.outcome === "success" || r.message === null ? null : r.message === "for a test" ? `${r.outcome} for a test` : r.message,
    size_before: r.size_before,
    size_after: r.size_after,
    audio_tracks_before: r.audio[0],
    audio_tracks_after: r.audio[1],
    subtitle_tracks_before: r.subs[0],
    subtitle_tracks_after: r.subs[1],
    attachments_before: r.attachments[0],
    attachments_after: r.attachments[1],
    duration_seconds: r.duration_seconds,
    video_transcode_skipped: r.video_transcode_skipped,
    encoder_type: r.encoder_type,
    audio_tracks_transcoded: r.audio_tracks_transcoded,
    video_source_codec: r.video_source_codec,
    video_target_codec: r.video_transcode_skipped === false ? "hevc" : null,
    actions: r.audio[0] !== null ? [{ action_type: "remove", track_type: "audio", track_index: 1, before_state: { language: "fre" } }] : [],
    phases: [
      ...(r.duration_seconds !== null ? [{ phase_name: "remux", wall_time_seconds: r.duration_seconds, bytes_read: r.size_before ?? null, encoding_fps: r.fps }] : []),
      // A phase with a speed but no wall time: counted in a node's mean speed, not in the phase timings.
      ...(r.fps !== null && r.metric !== null ? [{ phase_name: "verify", wall_time_seconds: null, encoding_fps: r.fps }] : []),
    ],
    plugin_metrics: r.metric === null ? {} : { probe: { score: r.metric, label: `m${r.metric}` } },
  }) as RunRecordInput);

/** A window with bounds from `at` (either open), since before until. */
export const windowArbOf = (at: fc.Arbitrary<string>) =>
  fc
    .tuple(fc.option(at, { nil: undefined }), fc.option(at, { nil: undefined }))
    .map(([a, b]) => (a !== undefined && b !== undefined && a > b ? { since: b, until: a } : { since: a, until: b }))
    .filter((w) => w.since === undefined || w.until === undefined || w.since < w.until);

/** A window as the views take it: open, whole days, or off midnight on either side. */
export const windowArb = windowArbOf(instant);

/** A batch of runs (fresh ids) processed at instants from `at`. */
export const runsAtArb = (at: fc.Arbitrary<string>, maxLength: number) =>
  fc.array(fc.tuple(runArb, at), { minLength: 1, maxLength }).map((rs) => rs.map(([run, when]) => ({ ...run, id: Bun.randomUUIDv7(), processed_at: when })));

/** The scope filters: any combination of policy, library and node. */
export const scopeArb = fc.record(
  {
    policy: fc.constantFrom("strip", "transcode", "remux", "never-ran"),
    library: fc.constantFrom("movies", "tv"),
    node: fc.constantFrom("alpha", "beta"),
  },
  { requiredKeys: [] },
);
