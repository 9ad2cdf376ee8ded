import { createJob, type Db, recordRuns, type RunRecordInput, updateJob } from "../../core/mod.ts";

const DAY = 86_400_000;
const GiB = 1024 ** 3;
const POLICIES = ["strip-foreign", "transcode-hevc", "remux-mkv", "anime", "4k-hdr"];
const LIBRARIES = ["movies", "tv", "anime"];
const NODES = ["atlas", "borealis"];
const CODECS = ["h264", "hevc", "mpeg2video", "vp9", "av1"];
const REASONS = ["ffmpeg exited with code 1", "disk full while writing the output", "source file vanished during the run", "no video stream found"];

/**
 * Synthetic but plausible history for the dashboard's tests and screenshots: `perDay` runs a day
 * over the `days` days up to `end` (five policies, three libraries, two machines, ~6 % failed
 * with a reason, one in 50 interrupted, a third transcoded), sizes in GiB. Deterministic: the
 * same arguments give the same runs (ids included).
 */
export function historyRuns(options: { days: number; perDay: number; end?: number }): RunRecordInput[] {
  const end = options.end ?? Date.now();
  const n = Math.max(1, Math.round(options.days * options.perDay));
  const step = (options.days * DAY) / n;
  const runs: RunRecordInput[] = [];
  for (let i = 0; i < n; i++) {
    const at = end - options.days * DAY + Math.floor((i + 0.5) * step);
    const failed = i % 17 === 5;
    const interrupted = !failed && i % 50 === 7;
    const policy = POLICIES[(i * 7) % POLICIES.length]!;
    const transcoded = policy === "transcode-hevc" || policy === "4k-hdr" || i % 3 === 0;
    const source = CODECS[(i * 3 + Math.floor(i / 5)) % CODECS.length]!;
    const before = Math.round((0.7 + ((i * 37) % 100) / 12) * GiB);
    const after = failed || interrupted ? null : Math.round(before * (transcoded ? 0.35 + (i % 20) / 100 : 0.82 + (i % 10) / 100));
    const show = ["Northern Lights", "The Long Road", "Paper Moons", "Quiet Harbour", "Salt & Iron"][Math.floor(i / 3) % 5]!;
    runs.push({
      id: `${Math.floor(at / 1000).toString(16).padStart(8, "0")}-0000-7000-8000-${i.toString(16).padStart(12, "0")}`,
      processed_at: new Date(at).toISOString(),
      policy_name: policy,
      library: LIBRARIES[i % LIBRARIES.length]!,
      node: NODES[(i >> 1) % NODES.length]!,
      file_path: `/srv/media/${LIBRARIES[i % LIBRARIES.length]}/${show}/Season ${1 + (i % 4)}/${show} - S0${1 + (i % 4)}E${String(1 + (i % 24)).padStart(2, "0")} [${i}].mkv`,
      success: !failed && !interrupted,
      ...(interrupted ? { status: "interrupted" as const, error_message: "interrupted by SIGINT" } : {}),
      ...(failed ? { error_message: REASONS[i % REASONS.length] } : {}),
      size_before: before,
      ...(after === null ? {} : { size_after: after }),
      audio_tracks_before: 3, audio_tracks_after: 1, subtitle_tracks_before: 5, subtitle_tracks_after: 2,
      duration_seconds: 40 + ((i * 13) % (transcoded ? 2400 : 300)),
      video_source_codec: source,
      video_target_codec: transcoded ? (source === "av1" ? "av1" : "hevc") : source,
      video_transcode_skipped: !transcoded,
      ...(transcoded ? { encoder_type: i % 2 ? ("hardware" as const) : ("software" as const) } : {}),
    });
  }
  return runs;
}

/** Stores `runs` in batches (one transaction each), and a few jobs of every kind and state. */
export async function seedHistory(db: Db, runs: RunRecordInput[]): Promise<void> {
  for (let i = 0; i < runs.length; i += 500) await recordRuns(db, runs.slice(i, i + 500));
  const done = await createJob(db, { type: "process", policy_name: "transcode-hevc", files_total: 120, node: "atlas" });
  await updateJob(db, done.id, { status: "completed", files_affected: 118 });
  const failed = await createJob(db, { type: "scan", files_total: 4_210, node: "borealis" });
  await updateJob(db, failed.id, { status: "failed", error: "library root /srv/media/tv is not mounted" });
  await createJob(db, { type: "run", policy_name: "strip-foreign", files_total: 56, node: "borealis" });
}
