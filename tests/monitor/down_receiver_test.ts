/**
 * A notification receiver that is down never slows processing: runs go on at their normal speed
 * in the same process while the deliveries wait out their timeouts, and each attempt is retried,
 * recorded and visible.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { alertHistory, type Config, defaultConfig } from "../../core/mod.ts";
import { policyStep, runJob } from "../../engine/mod.ts";
import { startMonitoring } from "../../monitor/mod.ts";
import { ACCEPTANCE_POLICY, type EngineFixture, engineFixture, loaded } from "../engine/_setup.ts";
import { copyFixture, type Fixtures, makeFixtures } from "../fixtures/media.ts";
import { until, type WebhookReceiver, webhookReceiver } from "./_receivers.ts";

let fixtures: Fixtures;
let receiver: WebhookReceiver;
const open: EngineFixture[] = [];
beforeAll(async () => {
  fixtures = await makeFixtures();
  receiver = webhookReceiver();
  receiver.answer("hang");
});
afterAll(async () => {
  receiver.stop();
  for (const fx of open) await fx.close();
});

/** Processes two broken files and two good ones; returns how long it took. */
async function batch(fx: EngineFixture): Promise<number> {
  const files = [
    await copyFixture(fixtures, "truncated", join(fx.dir, "a")),
    await copyFixture(fixtures, "multi", fx.dir),
    await copyFixture(fixtures, "truncated", join(fx.dir, "b")),
    await copyFixture(fixtures, "clip", fx.dir),
  ];
  const started = performance.now();
  const summary = await runJob(fx.engine, { type: "process", policyName: "acceptance", files, step: policyStep(fx.engine, loaded(ACCEPTANCE_POLICY())), bus: fx.bus });
  expect([summary.succeeded, summary.failed]).toEqual([2, 2]);
  return performance.now() - started;
}

test("a receiver that never answers: processing goes on at normal speed; deliveries are retried, recorded and visible", async () => {
  const baseline = await engineFixture();
  open.push(baseline);
  const normal = await batch(baseline);

  const fx = await engineFixture();
  open.push(fx);
  const config: Config = {
    ...defaultConfig(),
    channels: { hook: { type: "webhook", url: receiver.url, timeout: "3s", retries: 1, backoff: "0.5s" } },
    alerts: { evaluate_every: "0.5s", history_days: 90, rules: [{ name: "failures", kind: "run_failed", channels: ["hook"] }] },
  };
  // Monitoring in the same process as the work, on the engine's own bus, as in `vpo worker`.
  const monitoring = await startMonitoring({ database: { db: fx.db }, bus: fx.bus, config, node: "here" });
  try {
    const withMonitoring = await batch(fx);
    // Each delivery waits 3 s for an answer, twice; the files do not wait for them.
    expect(withMonitoring).toBeLessThan(normal * 2 + 2_000);
    await receiver.waitFor(1, 10_000);
    await until(async () => (await alertHistory(fx.db))[0]?.deliveries[0]?.status === "failed", 20_000, "the delivery to be given up");
    const [event] = await alertHistory(fx.db);
    expect(event!.deliveries[0]).toMatchObject({ channel: "hook", status: "failed", attempts: 2, last_error: expect.stringContaining("no answer from") });
    expect(receiver.received.length).toBe(2);
  } finally {
    await monitoring.stop();
  }
}, 120_000);
