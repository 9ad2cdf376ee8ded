/**
 * `vpo worker` evaluates alert rules as `vpo serve` does: on the run feed of every machine, once
 * per alert however many workers watch one PostgreSQL database, and with its config reloaded
 * when config.toml is edited.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../cli/_cli.ts";
import { ACCEPTANCE_POLICY } from "../engine/_setup.ts";
import { copyFixture, makeFixtures } from "../fixtures/media.ts";
import { until, type WebhookReceiver, webhookReceiver } from "../monitor/_receivers.ts";
import { pgCluster, pgUnavailable } from "../pg_cluster.ts";
import { createEventBus, defaultConfig, openDatabase } from "../../core/mod.ts";
import { alertOverview, manualClock, startMonitoring } from "../../monitor/mod.ts";
import { machine, on, startWorker, type WorkerProcess } from "./_machines.ts";

const failedRuns = (hook: WebhookReceiver) => hook.received.filter((r) => r.json.data?.rule === "run-failed" && r.json.data?.status === "firing");

describe.skipIf(pgUnavailable() !== null && process.env.CI !== "true")("alerts in vpo worker", () => {
  let hook: WebhookReceiver;
  const workers: WorkerProcess[] = [];
  beforeAll(() => (hook = webhookReceiver()));
  afterAll(async () => {
    for (const w of workers) await w.stop().catch(() => {});
    hook.stop();
  });

  test("two workers on one database notify a failed run once; a rule added to config.toml applies without a restart", async () => {
    const root = tempDir("vpo-worker-alerts-");
    const lib = join(root, "lib");
    mkdirSync(lib, { recursive: true });
    await copyFixture(await makeFixtures(), "truncated", lib);
    const policy = join(root, "acceptance.yaml");
    writeFileSync(policy, ACCEPTANCE_POLICY());
    const url = await pgCluster().createDatabase();
    const alerts = `\n[channels.hook]\ntype = "webhook"\nurl = "${hook.url}"\n\n[alerts]\nevaluate_every = "1s"\n\n[[alerts.rules]]\nname = "run-failed"\nkind = "run_failed"\nchannels = ["hook"]\n`;
    const [a, b] = ["node-a", "node-b"].map((name) => machine(name, { url, library: lib, queue: { retry_limit: 0 } }));
    for (const m of [a!, b!]) appendFileSync(m.env.VPO_CONFIG!, alerts);
    workers.push(await startWorker(a!), await startWorker(b!));

    expect((await on(a!, ["enqueue", lib, "--policy", policy])).code).toBe(0);
    await Promise.race(workers.map((w) => w.waitFor((e) => e.event === "job.failed", "the truncated file to fail", 60_000)));
    await until(() => failedRuns(hook).length >= 1, 15_000, "the run-failed notification").catch((e) => {
      throw new Error(`${e.message}\n${JSON.stringify(hook.received.map((r) => r.json))}\n${workers.map((w) => w.output()).join("\n")}`);
    });
    const [notification] = failedRuns(hook);
    expect(notification!.json.subject).toMatch(/^\[vpo\] Run failed: truncated\.mkv \(acceptance\) on node-[ab]$/);
    expect(notification!.json.link).toMatch(/#range=all&run=[0-9a-f-]{36}$/);
    // Both workers evaluate every second: a second notification would have come by now.
    await Bun.sleep(4_000);
    expect(failedRuns(hook)).toHaveLength(1);

    appendFileSync(a!.env.VPO_CONFIG!, `\n[[alerts.rules]]\nname = "failure-rate"\nkind = "failure_rate"\nthreshold = 50\nmin_runs = 1\nwindow = "1h"\nchannels = ["hook"]\n`);
    await until(() => hook.received.some((r) => r.json.data?.rule === "failure-rate"), 20_000, "the failure-rate notification from the reloaded config");
    expect(hook.received.find((r) => r.json.data?.rule === "failure-rate")!.json.subject).toBe("[vpo] 100 % of runs failed");
    expect(workers.every((w) => w.proc.exitCode === null)).toBe(true);
  }, 180_000);

  test("queue stalled and node silent read the job queue and the nodes table: jobs waiting with nothing processed, a machine not seen", async () => {
    const root = tempDir("vpo-stalled-");
    const lib = join(root, "lib");
    mkdirSync(lib, { recursive: true });
    await copyFixture(await makeFixtures(), "multi", lib);
    const policy = join(root, "acceptance.yaml");
    writeFileSync(policy, ACCEPTANCE_POLICY());
    const url = await pgCluster().createDatabase();
    const m = machine("node-a", { url, library: lib });
    // Queued, and no worker anywhere; node-a was last seen when its scan started.
    expect((await on(m, ["scan", lib])).code).toBe(0);
    expect((await on(m, ["enqueue", lib, "--policy", policy])).code).toBe(0);
    const database = await openDatabase(url);
    const config = { ...defaultConfig(), alerts: { rules: [
      { name: "stalled", kind: "queue_stalled" as const, quiet_for: "1h" },
      { name: "silent", kind: "node_silent" as const, silent_for: "30m" },
    ] } };
    const clock = manualClock(new Date(Date.now() + 2 * 3_600_000).toISOString());
    const monitoring = await startMonitoring({ database, bus: createEventBus(), config, clock, node: "tester", timers: false });
    try {
      await monitoring.evaluate();
      await monitoring.idle();
      expect(monitoring.status().map((r) => [r.name, r.unavailable, r.error])).toEqual([["stalled", null, null], ["silent", null, null]]);
      const alerts = await alertOverview(database.db, config, clock.now());
      const firing = Object.fromEntries(alerts.map((r) => [r.rule, r.alerts.filter((a) => a.status === "firing").map((a) => a.summary)]));
      expect(firing.stalled).toEqual([expect.stringMatching(/^1 job\(s\) are queued but nothing was processed yet/)]);
      expect(firing.silent).toEqual([expect.stringMatching(/^Node node-a has not been seen for 2h/)]);
    } finally {
      await monitoring.stop();
      await database.close();
    }
  }, 120_000);
});
