/**
 * The monitoring side of the HTTP API: /api/alerts, /api/alerts/history, /api/logs,
 * POST /api/config/reload, the config version in /health, vpo's own performance in /metrics
 * and the Server-Timing header.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  type Config, defaultConfig, insertLogRecords, recordRun, type RunRecordInput,
} from "../../core/mod.ts";
import { manualClock, type Monitoring, type ReloadOutcome, startMonitoring } from "../../monitor/mod.ts";
import { AUTH, type Seeded, seededServer } from "./_seed.ts";

const config: Config = {
  ...defaultConfig(),
  channels: { log: { type: "file", path: "/tmp/vpo-monitoring-routes-test.ndjson" } },
  alerts: { evaluate_every: "30s", history_days: 90, rules: [{ name: "failures", kind: "run_failed", channels: ["log"] }, { name: "stall", kind: "queue_stalled" }] },
};

let s: Seeded;
let monitoring: Monitoring;
let nextReload: ReloadOutcome = { ok: true, changed: true, version: 2, loaded_at: "2026-03-01T12:05:00.000Z", restart_needed: ["server.port"] };
let runId: string;

beforeAll(async () => {
  s = await seededServer({
    monitor: {
      config: () => config,
      status: () => monitoring.status(),
      reload: async () => nextReload,
      configInfo: () => ({ version: 1, loaded_at: "2026-03-01T12:00:00.000Z" }),
    },
  });
  const clock = manualClock(new Date());
  monitoring = await startMonitoring({ database: { db: s.server.db }, bus: s.bus, config, clock, node: "alpha", timers: false, onDelivery: (d) => s.server.selfMetrics.countDelivery(d) });
  runId = (await recordRun(s.opened.db, {
    file_path: "/m/broken.mkv", processed_at: clock.now().toISOString(), policy_name: "strip", success: false, error_message: "ffprobe could not read it",
  } as RunRecordInput)).id;
  await monitoring.evaluate();
  await monitoring.idle();
  await insertLogRecords(s.opened.db, [
    { at: "2026-03-01T12:00:00.000Z", level: "error", category: "vpo.engine", message: "Failed /m/broken.mkv: ffprobe could not read it", job_id: "job-9", run_id: runId, file: "/m/broken.mkv", node: "alpha", plugin: null, properties: null },
    { at: "2026-03-01T12:00:01.000Z", level: "warning", category: "vpo.monitor", message: "Alert failures firing", job_id: null, run_id: null, file: null, node: "alpha", plugin: null, properties: '{"rule":"failures"}' },
  ]);
});
afterAll(async () => {
  await monitoring.stop();
  await s.close();
});

const json = async (path: string, init?: RequestInit) => {
  const res = await s.request(path, init);
  return { status: res.status, body: await res.json(), headers: res.headers };
};

describe("alerts", () => {
  test("GET /api/alerts: each rule in force, its state and alerts, and why this server cannot evaluate one", async () => {
    const { status, body } = await json("/api/alerts");
    expect(status).toBe(200);
    expect(body.map((r: { rule: string; state: string; unavailable: string | null }) => [r.rule, r.state, r.unavailable !== null])).toEqual([["failures", "firing", false], ["stall", "ok", true]]);
    expect(body[0].alerts[0]).toMatchObject({ status: "firing", notifications: 1, details: { run_id: runId, file: "/m/broken.mkv" } });
  });

  test("GET /api/alerts/history: notifications with their deliveries; parameters are checked", async () => {
    const { body } = await json("/api/alerts/history?rule=failures&since=1d&limit=10");
    expect(body).toHaveLength(1);
    expect(body[0]).toMatchObject({ rule: "failures", kind: "firing", deliveries: [{ channel: "log", status: "sent", attempts: 1 }] });
    expect((await json("/api/alerts/history?rule=nope")).body).toEqual([]);
    const bad = await json("/api/alerts/history?limt=3");
    expect([bad.status, bad.body.error]).toEqual([400, expect.stringContaining('Unknown query parameter "limt" (did you mean "limit"?)')]);
  });
});

describe("logs", () => {
  test("GET /api/logs filters by level, run, job and text, and follows with after", async () => {
    expect((await json(`/api/logs?run=${runId}`)).body.map((r: { message: string }) => r.message)).toEqual(["Failed /m/broken.mkv: ffprobe could not read it"]);
    expect((await json("/api/logs?level=error")).body).toHaveLength(1);
    expect((await json("/api/logs?job=job-9&grep=FFPROBE")).body).toHaveLength(1);
    const all = (await json("/api/logs")).body;
    expect(all.at(-1).properties).toEqual({ rule: "failures" });
    expect((await json(`/api/logs?after=${all.at(-1).id}`)).body).toEqual([]);
    expect((await json("/api/logs?level=loud")).status).toBe(400);
  });
});

describe("config reload and health", () => {
  test("POST /api/config/reload needs the token; answers the new version, or 422 naming the key while the old config stays", async () => {
    expect((await s.request("/api/config/reload", { method: "POST" })).status).toBe(401);
    const ok = await json("/api/config/reload", { method: "POST", headers: AUTH });
    expect(ok).toMatchObject({ status: 200, body: { changed: true, version: 2, restart_needed: ["server.port"] } });
    nextReload = { ok: false, error: 'Invalid config "/x/config.toml": alerts.rules.0.threshold: expected a percentage', version: 2, loaded_at: "2026-03-01T12:05:00.000Z" };
    const refused = await json("/api/config/reload", { method: "POST", headers: AUTH });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: "INVALID_CONFIG", error: expect.stringContaining("version 2 stays in force: Invalid config \"/x/config.toml\": alerts.rules.0.threshold") });
  });

  test("/health says which config version is in force and when it was loaded", async () => {
    expect((await json("/health")).body.config).toEqual({ version: 1, loaded_at: "2026-03-01T12:00:00.000Z" });
  });
});

describe("vpo's own performance", () => {
  test("API answers carry Server-Timing, cached ones included", async () => {
    const first = await s.request("/api/stats/summary");
    expect(first.headers.get("server-timing")).toMatch(/^app;dur=\d+\.\d\d$/);
    const cached = await s.request("/api/stats/summary");
    expect(cached.headers.get("server-timing")).toMatch(/^cache;dur=\d+\.\d\d$/);
    expect((await s.request("/api/nope")).headers.get("server-timing")).toMatch(/^app;dur=/);
  });

  test("/metrics: request durations by route pattern and status, query durations by name, feed lag, deliveries by result", async () => {
    await s.request(`/api/stats/${runId}`);
    await s.request("/api/stats/ffff0000");
    await s.request("/api/nope");
    const text = await (await s.request("/metrics")).text();
    expect(text).toContain('vpo_http_request_duration_seconds_count{method="GET",route="/api/stats/:stats_id",status="200"} 1');
    expect(text).toContain('vpo_http_request_duration_seconds_count{method="GET",route="/api/stats/:stats_id",status="404"} 1');
    expect(text).toMatch(/vpo_http_request_duration_seconds_count\{method="GET",route="unmatched",status="404"\} [1-9]/);
    expect(text).toMatch(/vpo_http_request_duration_seconds_count\{method="GET",route="\/api\/stats\/summary",status="200"\} [2-9]/);
    expect(text).toMatch(/vpo_db_query_duration_seconds_count\{query="summary"\} \d/);
    expect(text).toMatch(/vpo_db_query_duration_seconds_count\{query="select alert_state"\} \d/);
    expect(text).toMatch(/vpo_feed_lag_seconds_count \d/);
    expect(text).toContain('vpo_alert_deliveries_total{channel="log",result="sent"} 1');
    expect(text).toContain("# TYPE vpo_queue_depth gauge");
    expect(text).not.toMatch(/^vpo_queue_depth /m);
    expect(text).toMatch(/^vpo_nodejs_eventloop_lag_seconds /m);
    expect(text).toMatch(/^vpo_process_resident_memory_bytes /m);
  });

  test("queue depth is exposed when the process has a queue", async () => {
    const withQueue = await seededServer({ seed: false, queueDepth: async () => 7 });
    try {
      expect(await (await withQueue.request("/metrics")).text()).toMatch(/^vpo_queue_depth 7$/m);
    } finally {
      await withQueue.close();
    }
  });
});


