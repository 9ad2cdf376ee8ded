/**
 * The acceptance test of the media engine: process the fixture corpus with real ffmpeg into a
 * real SQLite database, then hold every recorded figure against what `stat` and ffprobe say.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import { getFileByPath, getJob, getRunDetail, type RunRecord } from "../../core/mod.ts";
import { type BatchSummary, runProcessJob } from "../../engine/mod.ts";
import { ffprobeJson } from "../fixtures/ffmpeg.ts";
import { copyFixture, type FixtureName, makeFixtures } from "../fixtures/media.ts";
import { ACCEPTANCE_POLICY, type EngineFixture, engineFixture, leftovers, loaded, sha256 } from "./_setup.ts";

interface Before {
  path: string;
  size: number;
  mtimeMs: number;
  sha: string;
  counts: Record<string, number> | null;
  videoCodec: string | null;
}

async function observe(path: string): Promise<Before> {
  const s = statSync(path);
  const probe = await ffprobeJson(path).catch(() => null);
  const counts: Record<string, number> = { video: 0, audio: 0, subtitle: 0, attachment: 0 };
  for (const stream of probe?.streams ?? []) counts[stream.codec_type] = (counts[stream.codec_type] ?? 0) + 1;
  return { path, size: s.size, mtimeMs: s.mtimeMs, sha: await sha256(path), counts: probe ? counts : null, videoCodec: probe?.streams.find((x) => x.codec_type === "video")?.codec_name ?? null };
}

const NAMES: FixtureName[] = ["multi", "clip", "hevc", "silent", "truncated"];
let fx: EngineFixture;
let before: Record<string, Before>;
let after: Record<string, Before>;
let batch: BatchSummary;
const record = (name: FixtureName): RunRecord => batch.outcomes.find((o) => o.record.file_path === before[name]!.path)!.record;

beforeAll(async () => {
  const fixtures = await makeFixtures();
  fx = await engineFixture();
  const lib = join(fx.dir, "lib");
  const paths = await Promise.all(NAMES.map((n) => copyFixture(fixtures, n, lib)));
  before = Object.fromEntries(await Promise.all(NAMES.map(async (n, i) => [n, await observe(paths[i]!)])));
  batch = await runProcessJob(fx.engine, { files: paths, policy: loaded(ACCEPTANCE_POLICY()) });
  after = Object.fromEntries(await Promise.all(NAMES.map(async (n, i) => [n, await observe(paths[i]!)])));
}, 60_000);
afterAll(() => fx.close());

describe("vpo process on the fixture corpus", () => {
  test("sizes, track counts and codecs in the records equal what stat and ffprobe report", () => {
    for (const name of ["multi", "clip", "silent"] as const) {
      const r = record(name);
      const b = before[name]!;
      const a = after[name]!;
      expect(r.success).toBe(true);
      expect({ size_before: r.size_before, size_after: r.size_after, size_change: r.size_change }).toEqual({ size_before: b.size, size_after: a.size, size_change: b.size - a.size });
      expect({
        audio: [r.audio_tracks_before, r.audio_tracks_after, r.audio_tracks_removed],
        subtitle: [r.subtitle_tracks_before, r.subtitle_tracks_after, r.subtitle_tracks_removed],
        attachment: [r.attachments_before, r.attachments_after, r.attachments_removed],
      }).toEqual({
        audio: [b.counts!.audio, a.counts!.audio, Math.max(0, b.counts!.audio! - a.counts!.audio!)],
        subtitle: [b.counts!.subtitle, a.counts!.subtitle, Math.max(0, b.counts!.subtitle! - a.counts!.subtitle!)],
        attachment: [b.counts!.attachment, a.counts!.attachment, Math.max(0, b.counts!.attachment! - a.counts!.attachment!)],
      });
      expect([r.video_source_codec, r.video_target_codec]).toEqual([b.videoCodec, a.videoCodec]);
      expect(a.videoCodec).toBe("hevc");
      expect(r).toMatchObject({ video_transcode_skipped: false, video_skip_reason: null, encoder_type: "software" });
      expect(r.plugin_metrics.transcode?.video_encoder).toBe("libx265");
    }
    // multi: eng+jpn audio kept, fre removed; eng subtitle kept; the font attachment removed.
    expect([after.multi!.counts!.audio, after.multi!.counts!.subtitle, after.multi!.counts!.attachment]).toEqual([2, 1, 0]);
  });

  test("per-phase bytes equal the sizes of each pass's input and output; timings are measured", () => {
    const r = record("multi");
    expect(r.phases.map((p) => p.phase_name)).toEqual(["filter", "compress"]);
    const [filter, compress] = r.phases;
    expect(filter!.bytes_read).toBe(before.multi!.size);
    expect(compress!.bytes_read).toBe(filter!.bytes_written!);
    expect(compress!.bytes_written).toBe(after.multi!.size);
    for (const p of r.phases) expect(p.wall_time_seconds!).toBeGreaterThan(0);
    expect(compress!.encoding_fps!).toBeGreaterThan(0);
    expect(compress!.encoding_bitrate!).toBeGreaterThan(0);
    expect(filter!.wall_time_seconds! + compress!.wall_time_seconds!).toBeLessThanOrEqual(r.duration_seconds! + 0.001);
    expect(r).toMatchObject({ phases_completed: 2, phases_total: 2 });
    // clip has nothing to filter: its filter phase read and wrote nothing; compress did the work.
    expect(record("clip").phases.map((p) => [p.phase_name, p.bytes_read, p.bytes_written])).toEqual([["filter", 0, 0], ["compress", before.clip!.size, after.clip!.size]]);
  });

  test("every action is recorded with the rule that caused it", () => {
    const actions = record("multi").actions.map((a) => [a.action_type, a.track_type, a.track_index, a.rule_reference, a.success]);
    expect(actions).toEqual([
      ["keep", "audio", 1, "phases[0].keep_audio.languages", true],
      ["keep", "audio", 2, "phases[0].keep_audio.languages", true],
      ["remove", "audio", 3, "phases[0].keep_audio.languages", true],
      ["keep", "subtitle", 4, "phases[0].keep_subtitles.languages", true],
      ["remove", "subtitle", 5, "phases[0].keep_subtitles.languages", true],
      ["remove", "attachment", 6, "phases[0].filter_attachments.remove_all", true],
      ["transcode", "video", 0, "phases[1].transcode.video.to", true],
    ]);
    expect(record("multi").total_changes).toBe(4);
  });

  test("a file already in hevc is skipped with reason codec_matches and not rewritten", () => {
    const r = record("hevc");
    expect(r).toMatchObject({ success: true, video_transcode_skipped: true, video_skip_reason: "codec_matches", video_source_codec: "hevc", video_target_codec: "hevc", total_changes: 0, size_change: 0, encoder_type: null });
    expect(after.hevc!.sha).toBe(before.hevc!.sha);
    expect(after.hevc!.mtimeMs).toBe(before.hevc!.mtimeMs);
    expect(r.actions.find((a) => a.action_type === "skip_transcode")!.rule_reference).toBe("phases[1].transcode.video.skip_if.codec_matches");
  });

  test("a truncated file fails cleanly and stays byte for byte as it was", () => {
    const r = record("truncated");
    expect(r.success).toBe(false);
    expect(r.status).toBe("failed");
    expect(r.error_message).toContain("Cannot read media file");
    expect(after.truncated!.sha).toBe(before.truncated!.sha);
  });

  test("what was stored equals what came back, the job is closed, and nothing is left behind", async () => {
    const stored = await getRunDetail(fx.db, record("multi").id);
    expect(stored).toMatchObject({ size_before: before.multi!.size, size_after: after.multi!.size, audio_tracks_removed: 1, video_target_codec: "hevc" });
    expect(stored.actions).toHaveLength(7);
    expect(stored.phases).toHaveLength(2);
    const job = await getJob(fx.db, batch.job.id);
    expect(job).toMatchObject({ type: "process", status: "completed", policy_name: "acceptance", files_total: 5, files_affected: 3, error: "1 of 5 file(s) failed" });
    expect(job.runs).toMatchObject({ count: 5, successes: 4, failures: 1 });
    expect(leftovers(join(fx.dir, "lib"))).toEqual([]);
    expect(await fx.db.selectFrom("runs_in_flight").selectAll().execute()).toEqual([]);
    // The files table follows the new file, so the next scan will not need ffprobe for it.
    const row = await getFileByPath(fx.db, before.multi!.path);
    expect(row).toMatchObject({ size_bytes: after.multi!.size, scan_status: "ok" });
    expect(row!.streams!.filter((s) => s.type === "audio")).toHaveLength(2);
  });
});
