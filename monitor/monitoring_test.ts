/**
 * Alert rules end to end inside one process: a real SQLite database, runs recorded as any process
 * records them, a clock the test controls, and notifications to a real HTTP receiver on loopback.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  alertHistory, type Config, createEventBus, type DatabaseHandle, defaultConfig, openDatabase, recordRun, type RuleConfig, type RunRecordInput,
} from "../core/mod.ts";
import { type WebhookReceiver, webhookReceiver } from "../tests/monitor/_receivers.ts";
import { manualClock } from "./clock.ts";
import { type Monitoring, type MonitoringOptions, startMonitoring } from "./monitoring.ts";

const T0 = "2026-03-01T12:00:00.000Z";
let receiver: WebhookReceiver;
beforeAll(() => (receiver = webhookReceiver()));
afterAll(() => receiver.stop());

const open: { monitoring: Monitoring; database: DatabaseHandle }[] = [];
afterEach(async () => {
  for (const { monitoring, database } of open.splice(0)) {
    await monitoring.stop();
    await database.close();
  }
  receiver.received.length = 0;
  receiver.answer(200);
});

function configWith(rules: RuleConfig[], extra: Partial<Config> = {}): Config {
  const base = defaultConfig();
  return {
    ...base,
    server: { ...base.server, public_url: "http://vpo.lan:8321" },
    channels: { hook: { type: "webhook", url: receiver.url, backoff: "0.2s", retries: 2, timeout: "2s" } },
    alerts: { ...base.alerts, rules },
    ...extra,
  };
}

async function setup(rules: RuleConfig[], options: Partial<MonitoringOptions> & { extra?: Partial<Config> } = {}) {
  const database = await openDatabase(join(mkdtempSync(join(tmpdir(), "vpo-monitor-")), "library.db"));
  const clock = manualClock(T0);
  const monitoring = await startMonitoring({ database, bus: createEventBus(), config: configWith(rules, options.extra), clock, node: "alpha", timers: false, ...options });
  open.push({ monitoring, database });
  let n = 0;
  const run = (input: Partial<RunRecordInput>) =>
    recordRun(database.db, {
      file_path: `/media/movies/file${++n}.mkv`, processed_at: clock.now().toISOString(), policy_name: "anime", success: true, node: "alpha", library: "movies", ...input,
    } as RunRecordInput);
  const tick = async () => {
    await monitoring.evaluate();
    await monitoring.idle();
  };
  return { database, db: database.db, clock, monitoring, run, tick };
}

const failed = { success: false, error_message: 'Phase "compress" failed (ffmpeg exited with code 1)' };
const RUN_FAILED: RuleConfig = { name: "failures", kind: "run_failed", channels: ["hook"], cooldown: "1h", severity: "critical" };

describe("run failed", () => {
  test("one notification carrying the file, policy, error, node and a link to the run; a second failure inside the cooldown sends nothing; a reminder after it; resolved once failures stop", async () => {
    const s = await setup([RUN_FAILED]);
    const first = await s.run({ ...failed, failure_command: "ffmpeg -i a.mkv", failure_output: "Unknown encoder 'libx265'" });
    await s.tick();
    const [hook] = await receiver.waitFor(1);
    expect(hook!.json.subject).toBe(`[vpo] Run failed: file1.mkv (anime) on alpha`);
    expect(hook!.json.severity).toBe("critical");
    expect(hook!.json.link).toBe(`http://vpo.lan:8321/#range=all&run=${first.id}`);
    expect(hook!.json.text).toContain("File: /media/movies/file1.mkv");
    expect(hook!.json.text).toContain("Policy: anime");
    expect(hook!.json.text).toContain('Error: Phase "compress" failed (ffmpeg exited with code 1)');
    expect(hook!.json.text).toContain("Node: alpha");
    expect(hook!.json.text).toContain("Unknown encoder 'libx265'");
    expect(hook!.json.data).toMatchObject({ rule: "failures", status: "firing", details: { run_id: first.id, file: "/media/movies/file1.mkv", policy: "anime", node: "alpha" } });

    s.clock.advance(600);
    await s.run(failed);
    await s.tick();
    expect(receiver.received).toHaveLength(1);

    s.clock.advance(3001); // an hour after the notification; the second failure is 50 min old
    await s.tick();
    await receiver.waitFor(2);
    expect(receiver.received[1]!.json.text).toContain("1 run failed in the last 1h; latest: /media/movies/file2.mkv");

    s.clock.advance(3600);
    await s.tick();
    await receiver.waitFor(3);
    expect(receiver.received[2]!.json.subject).toStartWith("[vpo] Resolved: ");
    expect(receiver.received[2]!.json.data.status).toBe("resolved");

    const history = await alertHistory(s.db);
    expect(history.map((e) => [e.kind, e.seq, e.deliveries.map((d) => d.status)])).toEqual([
      ["resolved", 0, ["sent"]], ["firing", 1, ["sent"]], ["firing", 0, ["sent"]],
    ]);
  });

  test("label filters: only runs of the rule's policy, library and node; group_by makes one alert per value", async () => {
    const s = await setup([
      { ...RUN_FAILED, name: "anime-only", policy: "anime", node: ["alpha", "beta"] },
      { ...RUN_FAILED, name: "per-policy", group_by: ["policy"], channels: [] },
    ]);
    await s.run({ ...failed, policy_name: "tv" });
    await s.run({ ...failed, policy_name: "anime", node: "gamma" });
    await s.tick();
    expect(receiver.received).toHaveLength(0);
    await s.run({ ...failed, policy_name: "anime", library: "tv" });
    await s.tick();
    const [hook] = await receiver.waitFor(1);
    expect(hook!.json.data.rule).toBe("anime-only");
    const perPolicy = (await alertHistory(s.db, { rule: "per-policy" })).map((e) => JSON.parse(e.labels).policy).sort();
    expect(perPolicy).toEqual(["anime", "tv"]);
  });

  test("a silence holds notifications back and records them; the rule notifies once it ends", async () => {
    const s = await setup([RUN_FAILED]);
    expect(await s.monitoring.silence("failures", 3600)).toBe("2026-03-01T13:00:00.000Z");
    await s.run(failed);
    await s.tick();
    expect(receiver.received).toHaveLength(0);
    expect((await alertHistory(s.db)).map((e) => [e.kind, e.silenced, e.deliveries.length])).toEqual([["silenced", 1, 0]]);
    s.clock.advance(1800);
    await s.run(failed); // still failing when the silence ends
    s.clock.advance(1800);
    await s.tick();
    await receiver.waitFor(1);
    expect(receiver.received[0]!.json.data.status).toBe("firing");
  });
});

describe("rates, savings and phase speed", () => {
  test("failure rate: fires above the threshold with enough runs, resolves below it", async () => {
    const s = await setup([{ name: "rate", kind: "failure_rate", threshold: 30, min_runs: 4, window: "1h", channels: ["hook"] }]);
    await s.run(failed);
    await s.run(failed);
    await s.run({});
    await s.tick();
    expect(receiver.received).toHaveLength(0); // 3 runs < min_runs
    await s.run({});
    await s.tick();
    const [hook] = await receiver.waitFor(1);
    expect(hook!.json.subject).toBe("[vpo] 50 % of runs failed");
    expect(hook!.json.text).toContain("50 % of runs failed in the last 1h (2 of 4; threshold 30 %)");
    for (let i = 0; i < 4; i++) await s.run({});
    await s.tick();
    await receiver.waitFor(2);
    expect(receiver.received[1]!.json.data.status).toBe("resolved");
  });

  test("savings below the threshold, per policy", async () => {
    const s = await setup([{ name: "savings", kind: "savings_low", threshold: 10, min_runs: 2, group_by: ["policy"], channels: ["hook"] }]);
    await s.run({ policy_name: "tv", size_before: 1000, size_after: 950 });
    await s.run({ policy_name: "tv", size_before: 1000, size_after: 960 });
    await s.run({ policy_name: "anime", size_before: 1000, size_after: 500 });
    await s.run({ policy_name: "anime", size_before: 1000, size_after: 500 });
    await s.tick();
    const [hook] = await receiver.waitFor(1);
    expect(hook!.json.subject).toBe("[vpo] Savings down to 4.5 % (policy tv)");
    expect(hook!.json.link).toBe("http://vpo.lan:8321/#range=7d&policy=tv");
    await s.tick();
    expect(receiver.received).toHaveLength(1);
  });

  test("a phase's wall time per GB worse than its baseline; encoding fps likewise", async () => {
    const s = await setup([
      { name: "slow", kind: "phase_slow", metric: "wall_time_per_gb", threshold: 50, window: "1h", baseline: "1d", min_runs: 2, channels: ["hook"] },
      { name: "fps", kind: "phase_slow", metric: "encoding_fps", threshold: 20, window: "1h", baseline: "1d", min_runs: 2, phase: "compress", channels: ["hook"] },
    ]);
    const phases = (seconds: number, fps: number) => [{ phase_name: "compress", wall_time_seconds: seconds, bytes_read: 1e9, bytes_written: 5e8, encoding_fps: fps }];
    s.clock.set("2026-03-01T02:00:00Z");
    await s.run({ phases: phases(100, 50) });
    await s.run({ phases: phases(100, 50) });
    s.clock.set(T0);
    await s.run({ phases: phases(140, 45) });
    await s.run({ phases: phases(140, 45) });
    await s.tick();
    expect(receiver.received).toHaveLength(0); // 40 % slower, 10 % fewer fps: under both thresholds
    await s.run({ phases: phases(400, 20) });
    await s.tick();
    const hooks = await receiver.waitFor(2);
    const subjects = hooks.map((h) => h.json.subject).sort();
    expect(subjects).toEqual(["[vpo] Phase compress is 126.7 % slower than usual (phase compress)", "[vpo] Phase compress is 26.7 % slower than usual (phase compress)"]);
    expect(hooks.find((h) => h.json.data.rule === "fps")!.json.text).toContain("encoding fps is 26.7 % worse than its baseline (36.7 vs 50 fps");
  });
});

describe("disk space, queue and nodes", () => {
  test("free space below the minimum at a library root, measured on this machine", async () => {
    let free = 100 * 1024 ** 3;
    const s = await setup([{ name: "disk", kind: "disk_space", min_free: "50GiB", channels: ["hook"] }], {
      extra: { libraries: { movies: "/mnt/movies", tv: "/mnt/tv" } },
      inputs: { freeSpace: async (path) => (path === "/mnt/tv" ? { free, total: 1024 ** 4 } : { free: 900 * 1024 ** 3, total: 1024 ** 4 }) },
    });
    await s.tick();
    expect(receiver.received).toHaveLength(0);
    free = 10 * 1024 ** 3;
    await s.tick();
    const [hook] = await receiver.waitFor(1);
    expect(hook!.json.subject).toBe("[vpo] Library tv is low on space: 10.0 GiB free on alpha");
    expect(hook!.json.data.labels).toEqual({ library: "tv", node: "alpha" });
  });

  test("queue stalled: cannot be evaluated without a queue (said once); with one, fires when jobs wait and nothing ran", async () => {
    const without = await setup([{ name: "stall", kind: "queue_stalled", quiet_for: "2h", channels: ["hook"] }]);
    await without.tick();
    await without.tick();
    expect(without.monitoring.status()).toEqual([
      { name: "stall", kind: "queue_stalled", unavailable: "needs the job queue (vpo worker on PostgreSQL); this process has none, so the rule is not evaluated here", error: null },
    ]);
    let depth = 3;
    const s = await setup([{ name: "stall", kind: "queue_stalled", quiet_for: "2h", channels: ["hook"] }], { inputs: { queueDepth: async () => depth } });
    await s.run({});
    s.clock.advance(3600);
    await s.tick();
    expect(receiver.received).toHaveLength(0);
    s.clock.advance(3601);
    await s.tick();
    const [hook] = await receiver.waitFor(1);
    expect(hook!.json.subject).toBe("[vpo] 3 job(s) queued, nothing processed for 2h");
    depth = 0;
    await s.tick();
    await receiver.waitFor(2);
  });

  test("a node silent for longer than silent_for, among the nodes the rule names", async () => {
    const s = await setup([{ name: "silent", kind: "node_silent", silent_for: "15m", node: ["alpha", "beta"], channels: ["hook"] }], {
      inputs: { nodes: async () => [{ name: "alpha", last_seen: "2026-03-01T11:59:00.000Z" }, { name: "beta", last_seen: "2026-03-01T11:40:00.000Z" }, { name: "laptop", last_seen: "2026-01-01T00:00:00.000Z" }] },
    });
    await s.tick();
    const [hook] = await receiver.waitFor(1);
    expect(hook!.json.subject).toBe("[vpo] Node beta is silent since 2026-03-01T11:40:00.000Z");
    await Bun.sleep(50);
    expect(receiver.received).toHaveLength(1);
  });
});

describe("deliveries and reconfiguration", () => {
  test("a receiver that is down: retried with backoff, each attempt recorded, then marked failed with the reason", async () => {
    const s = await setup([RUN_FAILED]);
    receiver.answer(503);
    await s.run(failed);
    await s.tick();
    await receiver.waitFor(3, 10_000); // the first attempt and 2 retries
    await Bun.sleep(300);
    await s.monitoring.idle();
    const [event] = await alertHistory(s.db);
    expect(event!.deliveries).toEqual([expect.objectContaining({ channel: "hook", status: "failed", attempts: 3, last_error: expect.stringContaining("answered HTTP 503") })]);
    expect(receiver.received).toHaveLength(3);
  });

  test("a new threshold applies from the next evaluation", async () => {
    const rule: RuleConfig = { name: "rate", kind: "failure_rate", threshold: 60, min_runs: 2, channels: ["hook"] };
    const s = await setup([rule]);
    await s.run(failed);
    await s.run({});
    await s.tick();
    expect(receiver.received).toHaveLength(0);
    s.monitoring.reconfigure(configWith([{ ...rule, threshold: 40 }]));
    await s.tick();
    await receiver.waitFor(1);
  });

  test("alerts test sends a sample through every channel of the rule and says how each went", async () => {
    const s = await setup([{ ...RUN_FAILED, channels: ["hook", "broken"] }], {
      extra: { channels: { hook: { type: "webhook", url: receiver.url }, broken: { type: "webhook", url: "http://127.0.0.1:9/x", timeout: "1s" } } },
    });
    const outcomes = await s.monitoring.test("failures");
    expect(outcomes.map((o) => [o.channel, o.ok])).toEqual([["hook", true], ["broken", false]]);
    expect(outcomes[1]!.error).toContain("cannot reach");
    const [hook] = await receiver.waitFor(1);
    expect(hook!.json.subject).toStartWith("[vpo] Test: Run failed: example.mkv");
    const [event] = await alertHistory(s.db);
    expect([event!.kind, event!.deliveries.map((d) => d.status)]).toEqual(["test", ["sent", "failed"]]);
    await expect(s.monitoring.test("nope")).rejects.toThrow(/No alert rule "nope" in the config; rules: failures/);
  });
});
