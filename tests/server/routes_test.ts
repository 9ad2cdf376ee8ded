import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as v from "valibot";
import {
  FileProcessingHistorySchema, getMetricAggregates, getPolicyStats, getRecentRuns, getSummary, getTrends, JobDetailSchema, JobSchema,
  MetricAggregateSchema, parseTimeRange, PolicyStatsSchema, RecentRunSchema, RunDetailSchema, StatsSummarySchema, TrendPointSchema,
} from "../../core/mod.ts";
import { CodecShareSchema } from "../../core/repository/codecs.ts";
import { HealthSchema, PluginInfoSchema } from "../../server/routes/system.ts";
import { type Seeded, seededServer, SID } from "./_seed.ts";
import { forEachDialect } from "../dialects.ts";

forEachDialect("HTTP views", (dialect) => {
let s: Seeded;
beforeAll(async () => (s = await seededServer({ dialect })));
afterAll(() => s.close());

/** GET a path, expect 200 and a body conforming to the published schema. */
async function getJson<S extends v.GenericSchema>(path: string, schema: S): Promise<v.InferOutput<S>> {
  const res = await s.request(path);
  const body = await res.json();
  expect({ path, status: res.status }).toEqual({ path, status: 200 });
  expect(res.headers.get("content-type")).toStartWith("application/json");
  return v.parse(schema, body);
}

describe("read routes answer what the repository answers, in the published shapes", () => {
  test("GET /api/stats/summary: totals over every run, worked out by hand", async () => {
    const summary = await getJson("/api/stats/summary", StatsSummarySchema);
    expect(summary).toMatchObject({
      total_files_processed: 6, total_successful: 4, total_failed: 2, total_size_before: 6700, total_size_after: 3400,
      total_size_saved: 3300, total_audio_removed: 2, total_subtitles_removed: 5, total_attachments_removed: 2,
      total_videos_transcoded: 1, total_videos_skipped: 2, total_audio_transcoded: 1, avg_processing_time: 66.4,
      hardware_encodes: 1, software_encodes: 0, // S3's software transcode failed: attempted, not done earliest_processing: "2026-01-10T08:00:00.000Z", latest_processing: "2026-01-12T15:00:00.000Z",
    });
    expect(summary.success_rate).toBeCloseTo(4 / 6, 10);
    expect(summary.avg_savings_percent).toBeCloseTo((3300 / 6700) * 100, 10);
    expect(summary).toEqual(await getSummary(s.opened.db));
  });

  test("GET /api/stats/summary with since, until and policy filters like the CLI does", async () => {
    const q = { since: "2026-01-11", until: "2026-01-11", policy: "strip" };
    const summary = await getJson(`/api/stats/summary?${new URLSearchParams(q)}`, StatsSummarySchema);
    expect(summary.total_files_processed).toBe(1); // S4 only: the date-only until includes the whole 11th
    expect(summary).toEqual(await getSummary(s.opened.db, { ...parseTimeRange(q), policy: "strip" }));
  });

  test("GET /api/stats/summary over no runs is zeros, not an error", async () => {
    const summary = await getJson("/api/stats/summary?policy=nothing", StatsSummarySchema);
    expect(summary).toMatchObject({ total_files_processed: 0, success_rate: 0, avg_processing_time: null, earliest_processing: null });
  });

  test("GET /api/stats/recent: newest first, limit and policy", async () => {
    const recent = await getJson("/api/stats/recent?limit=2", v.array(RecentRunSchema));
    expect(recent.map((r) => r.stats_id)).toEqual([SID.S6, SID.S5]);
    expect(recent[1]).toMatchObject({ status: "interrupted", success: false, file_path: "/m/d.mkv" });
    const strip = await getJson("/api/stats/recent?policy=strip", v.array(RecentRunSchema));
    expect(strip).toEqual(await getRecentRuns(s.opened.db, { policy: "strip" }));
    expect(strip.map((r) => r.stats_id)).toEqual([SID.S6, SID.S4, SID.S1]);
  });

  test("GET /api/stats/policies: one row per policy, sortable", async () => {
    const byFiles = await getJson("/api/stats/policies", v.array(PolicyStatsSchema));
    expect(byFiles.map((p) => [p.policy_name, p.files_processed])).toEqual([["strip", 3], ["transcode", 2], ["remux", 1]]);
    const bySavings = await getJson("/api/stats/policies?sort=savings", v.array(PolicyStatsSchema));
    expect(bySavings.map((p) => p.policy_name)).toEqual(["transcode", "strip", "remux"]);
    expect(bySavings).toEqual(await getPolicyStats(s.opened.db, { sort: "savings" }));
  });

  test("GET /api/stats/policies/{name}: one policy, also in a window", async () => {
    const strip = await getJson("/api/stats/policies/strip", PolicyStatsSchema);
    expect(strip).toMatchObject({ policy_name: "strip", files_processed: 3, total_size_saved: 200 - 100 + 200, last_used: "2026-01-12T15:00:00.000Z" });
    const day = await getJson("/api/stats/policies/strip?since=2026-01-12", PolicyStatsSchema);
    expect(day.files_processed).toBe(1);
  });

  test("GET /api/stats/files/{file_id}: every run of that file, newest first", async () => {
    const history = await getJson("/api/stats/files/1", v.array(FileProcessingHistorySchema));
    expect(history.map((h) => h.stats_id)).toEqual([SID.S4, SID.S1]);
    expect((await getJson("/api/stats/files/1?limit=1", v.array(FileProcessingHistorySchema))).length).toBe(1);
  });

  test("GET /api/stats/trends: per day by default, per week or month on request", async () => {
    const days = await getJson("/api/stats/trends", v.array(TrendPointSchema));
    expect(days.map((d) => [d.period, d.files_processed])).toEqual([["2026-01-10", 2], ["2026-01-11", 2], ["2026-01-12", 2]]);
    expect(days[0]!.size_saved).toBe(200 + 3000);
    const weeks = await getJson("/api/stats/trends?group_by=week&policy=strip", v.array(TrendPointSchema));
    expect(weeks).toEqual(await getTrends(s.opened.db, { groupBy: "week", policy: "strip" }));
    expect(weeks.map((w) => w.period)).toEqual(["2026-W02", "2026-W03"]); // Sat 10th & Sun 11th vs Mon 12th
  });

  test("GET /api/stats/metrics: aggregates of plugin metrics, filtered by plugin and key", async () => {
    const all = await getJson("/api/stats/metrics", v.array(MetricAggregateSchema));
    expect(all).toEqual(await getMetricAggregates(s.opened.db));
    const size = await getJson("/api/stats/metrics?plugin=size&key=bytes_saved", v.array(MetricAggregateSchema));
    expect(size).toEqual([{ plugin: "size", key: "bytes_saved", count: 2, sum: 3200, avg: 1600, min: 200, max: 3000 }]);
  });

  test("GET /api/stats/codecs: video codecs before and after (a failed transcode keeps its codec)", async () => {
    const codecs = await getJson("/api/stats/codecs", v.array(CodecShareSchema));
    expect(codecs).toEqual([{ codec: "h264", before: 3, after: 2 }, { codec: "hevc", before: 1, after: 2 }]);
  });

  test("GET /api/stats/{stats_id}: a run with actions, phases, metrics and errors; a prefix is enough", async () => {
    const run = await getJson(`/api/stats/${SID.S2.slice(0, 8)}`, RunDetailSchema);
    expect(run.id).toBe(SID.S2);
    expect(run.actions.map((a) => [a.action_type, a.after_state])).toEqual([["transcode", { codec: "hevc" }]]);
    expect(run.phases.map((p) => [p.phase_name, p.wall_time_seconds, p.encoding_fps])).toEqual([["transcode", 290, 48.5], ["remux", 10, null]]);
    const failed = await getJson(`/api/stats/${SID.S3}`, RunDetailSchema);
    expect(failed.plugin_errors).toEqual([{ plugin: "transcode", hook: "afterRun", code: "PLUGIN_HOOK_FAILED", message: "no output file" }]);
    const hashed = await getJson(`/api/stats/${SID.S1}`, RunDetailSchema);
    expect([hashed.hash_before, hashed.plugin_metrics]).toEqual([`sha256:${"a".repeat(64)}`, { size: { bytes_saved: 200 } }]);
  });

  test("GET /api/jobs and /api/jobs/{id}", async () => {
    const jobs = await getJson("/api/jobs?type=import&status=running", v.array(JobSchema));
    expect(jobs.length).toBe(1);
    const job = await getJson(`/api/jobs/${jobs[0]!.id.slice(0, 13)}`, JobDetailSchema);
    expect(job).toMatchObject({ id: jobs[0]!.id, type: "import", runs: { count: 0 } });
    expect(await getJson("/api/jobs?status=failed", v.array(JobSchema))).toEqual([]);
  });

  test("GET /api/plugins lists the registry; GET /health answers without the database", async () => {
    const plugins = await getJson("/api/plugins", v.array(PluginInfoSchema));
    expect(plugins.map((p) => p.name)).toEqual(["size", "hash", "tracks", "transcode", "timing"]);
    expect(await getJson("/health", HealthSchema)).toMatchObject({ status: "ok" });
  });
});

describe("view cache", () => {
  test("a repeated view is served from the cache, and a query differing only in parameter order shares the entry", async () => {
    await s.request("/api/stats/summary?since=2026-01-10&policy=strip");
    const size = s.server.cache.size;
    const res = await s.request("/api/stats/summary?policy=strip&since=2026-01-10");
    expect(res.status).toBe(200);
    expect(s.server.cache.size).toBe(size);
  });
});
});
