/**
 * Hostile records: runs at the largest accepted values must be stored and leave every view and
 * /metrics answering, exactly; values past the bounds are refused at the edge with a message
 * naming the field (HTTP 422, an invalid import line), never stored, never a 500.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { MAX_BYTES, MAX_METRIC, MAX_SECONDS, MAX_TEXT, RUN_LIMITS } from "../../core/mod.ts";
import { tempDir, vpo } from "../cli/_cli.ts";
import { forEachDialect } from "../dialects.ts";
import { AUTH, type Seeded, seededServer } from "../server/_seed.ts";

const MAX_TRACKS = 100_000;
const COPIES = 9_100; // × 1 PiB: past 2^63 bytes in all

/** A run with every number at its largest accepted value and every list at its longest. */
function largestRun(i: number) {
  return {
    file_path: `/huge/${"x".repeat(200)}/${i}.mkv`, processed_at: "2026-03-01T12:00:00Z", policy_name: "huge", success: true,
    node: "n".repeat(128), library: "big",
    size_before: MAX_BYTES, size_after: 0, duration_seconds: MAX_SECONDS,
    audio_tracks_before: MAX_TRACKS, audio_tracks_after: 0, subtitle_tracks_before: MAX_TRACKS, subtitle_tracks_after: 0,
    attachments_before: MAX_TRACKS, attachments_after: 0, audio_tracks_transcoded: MAX_TRACKS, audio_tracks_preserved: MAX_TRACKS,
    video_transcode_skipped: false, encoder_type: "hardware", video_source_codec: "h264", video_target_codec: "hevc",
    error_message: null,
    actions: Array.from({ length: RUN_LIMITS.actions }, (_, k) => ({ action_type: "remove", track_type: "audio", track_index: k % MAX_TRACKS, duration_ms: MAX_SECONDS * 1000 })),
    phases: Array.from({ length: RUN_LIMITS.phases }, (_, k) => ({ phase_name: `p${k}`, wall_time_seconds: MAX_SECONDS, bytes_read: MAX_BYTES, bytes_written: MAX_BYTES, encoding_fps: 1_000_000, encoding_bitrate: 1e12 })),
    plugin_metrics: { big: Object.fromEntries(Array.from({ length: RUN_LIMITS.metrics }, (_, k) => [`m${k}`, k % 2 ? MAX_METRIC : -MAX_METRIC])) },
    plugin_errors: Array.from({ length: RUN_LIMITS.pluginErrors }, () => ({ plugin: "p", hook: "afterRun", code: "X", message: "m".repeat(MAX_TEXT) })),
  };
}

/** A plain run at the maximum size, many of them. */
const hugeRun = (i: number) => ({
  file_path: `/huge/${i}.mkv`, processed_at: `2026-03-0${1 + (i % 3)}T0${i % 10}:00:00Z`, policy_name: "many", success: true,
  size_before: MAX_BYTES, size_after: MAX_BYTES - 1, duration_seconds: MAX_SECONDS,
});

forEachDialect("hostile records", (dialect) => {
  let s: Seeded;
  beforeAll(async () => (s = await seededServer({ dialect, seed: false, bodyLimit: 64 * 1024 * 1024 })));
  afterAll(() => s.close());
  const post = (body: unknown) => s.request("/api/stats/runs", { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), headers: AUTH });

  test("a run at every largest accepted value is stored whole", async () => {
    const res = await post(largestRun(0));
    expect(res.status).toBe(201);
    const { id } = await res.json();
    const detail = await (await s.request(`/api/stats/${id}`)).json();
    expect([detail.actions.length, detail.phases.length, Object.keys(detail.plugin_metrics.big).length, detail.plugin_errors.length]).toEqual([
      RUN_LIMITS.actions, RUN_LIMITS.phases, RUN_LIMITS.metrics, RUN_LIMITS.pluginErrors,
    ]);
    expect(detail.size_before).toBe(MAX_BYTES);
  }, 300_000);

  test(`${COPIES} runs of 1 PiB (past 2^63 bytes in all): every view and /metrics answer, exactly`, async () => {
    for (let i = 0; i < COPIES; i += 2_000) {
      const res = await post(Array.from({ length: Math.min(2_000, COPIES - i) }, (_, k) => hugeRun(i + k)));
      expect(res.status).toBe(201);
    }
    const before = BigInt(MAX_BYTES) * BigInt(COPIES);
    const after = (BigInt(MAX_BYTES) - 1n) * BigInt(COPIES);
    const text = async (path: string) => {
      const res = await s.request(path);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      return res.text();
    };
    // Exact integers in the JSON text itself (JSON.parse would round them).
    const summary = await text("/api/stats/summary?policy=many");
    expect(summary).toContain(`"total_size_before":${before}`);
    expect(summary).toContain(`"total_size_after":${after}`);
    expect(summary).toContain(`"total_size_saved":${before - after}`);
    expect(summary).toContain(`"total_processing_time":${MAX_SECONDS * COPIES}`);
    expect(await text("/api/stats/policies")).toContain(`"total_size_saved":${before - after}`);
    const trends = await text("/api/stats/trends?group_by=month&policy=many");
    expect(trends).toContain(`"size_before":${before}`);
    for (const path of ["/api/stats/policies/many", "/api/stats/nodes", "/api/stats/libraries", "/api/stats/recent?limit=1000", "/api/stats/codecs", "/api/stats/metrics", "/api/stats/runs?limit=200"]) {
      await text(path);
    }
    const metrics = await text("/metrics");
    expect(metrics).toMatch(new RegExp(`vpo_runs_total\\{policy="many",status="success"\\} ${COPIES}\\n`));
    expect(metrics).toMatch(/vpo_size_before_bytes_total\{policy="many"\} \d/);
  }, 600_000);

  test("values past the bounds answer 422 naming the field, and store nothing", async () => {
    const count = async () => (await (await s.request("/api/stats/summary?policy=bad")).json()).total_files_processed;
    const base = { file_path: "/m/x.mkv", processed_at: "2026-03-01T00:00:00Z", policy_name: "bad", success: true };
    const cases: [unknown, string][] = [
      [{ ...base, size_before: 5e18 }, "size_before"],
      [`{"file_path":"/m/x.mkv","processed_at":"2026-03-01T00:00:00Z","policy_name":"bad","success":true,"duration_seconds":1e309}`, "duration_seconds"],
      [{ ...base, duration_seconds: -1 }, "duration_seconds"],
      [{ ...base, audio_tracks_before: 1.5 }, "audio_tracks_before"],
      [{ ...base, actions: Array.from({ length: 40_000 }, () => ({ action_type: "remove" })) }, "actions"],
      [{ ...base, plugin_metrics: { p: Object.fromEntries(Array.from({ length: 60_000 }, (_, k) => [`k${k}`, 1])) } }, "plugin_metrics"],
      [{ ...base, plugin_metrics: { p: { v: 1e300 } } }, "plugin_metrics.p.v"],
      [{ ...base, file_path: "/m/\u0000.mkv" }, "file_path"],
      [{ ...base, error_message: "e".repeat(MAX_TEXT + 1) }, "error_message"],
      [{ ...base, processed_at: "+275760-09-13T00:00:00Z" }, "processed_at"],
    ];
    for (const [body, field] of cases) {
      const res = await post(body);
      const answer = await res.json();
      expect({ field, status: res.status }).toEqual({ field, status: 422 });
      expect(answer.error).toContain(field);
    }
    expect(await count()).toBe(0);
  }, 300_000);
});

describe("hostile import lines", () => {
  test("lines past the bounds are reported with their number and field; with --skip-invalid the rest are imported", async () => {
    const dir = tempDir();
    const file = join(dir, "runs.ndjson");
    const good = (i: number) => JSON.stringify({ file_path: `/m/${i}.mkv`, processed_at: "2026-03-01T00:00:00Z", policy_name: "p", success: true, size_before: MAX_BYTES, size_after: 0 });
    writeFileSync(file, [
      good(1),
      '{"file_path":"/m/x.mkv","processed_at":"2026-03-01T00:00:00Z","policy_name":"p","success":true,"size_before":5e18}',
      '{"file_path":"/m/y.mkv","processed_at":"2026-03-01T00:00:00Z","policy_name":"p","success":true,"duration_seconds":1e309}',
      JSON.stringify({ file_path: "/m/z.mkv", processed_at: "2026-03-01T00:00:00Z", policy_name: "p", success: true, actions: Array.from({ length: 40_000 }, () => ({ action_type: "keep" })) }),
      good(2),
    ].join("\n"));
    const refused = await vpo(["stats", "import", file], { dataDir: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("line 2: size_before");
    expect(refused.stderr).toContain("line 3: duration_seconds");
    expect(refused.stderr).toContain("line 4: actions");
    expect(refused.stderr).not.toContain("    at ");
    const skipped = await vpo(["stats", "import", file, "--skip-invalid", "--format", "json"], { dataDir: dir });
    expect(skipped.code).toBe(0);
    expect(JSON.parse(skipped.stdout)).toMatchObject({ imported: 2, invalid: 3 });
    const summary = await vpo(["stats", "summary", "--format", "json"], { dataDir: dir });
    expect(summary.stdout).toContain(`"total_size_before": ${2 * MAX_BYTES}`);
  }, 120_000);
});
