/**
 * Several servers on one database each evaluate every rule, on the run feed and on their timers;
 * each notification is still made once, not once per server.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { alertHistory, type Config, createEventBus, type DatabaseHandle, defaultConfig, openDatabase, recordRun, type RunRecordInput } from "../core/mod.ts";
import { forEachDialect } from "../tests/dialects.ts";
import { until, type WebhookReceiver, webhookReceiver } from "../tests/monitor/_receivers.ts";
import { type Monitoring, startMonitoring } from "./monitoring.ts";

let receiver: WebhookReceiver;
beforeAll(() => (receiver = webhookReceiver()));
afterAll(() => receiver.stop());

forEachDialect("three servers on one database", (dialect) => {
  // SQLite: connections in one process block each other's thread on the write lock, so several
  // servers on one SQLite file are tested as real processes (tests/monitor/serve_alerts_test.ts).
  if (dialect.name !== "postgres") return;
  const handles: DatabaseHandle[] = [];
  const servers: Monitoring[] = [];
  let writer: DatabaseHandle;

  beforeAll(async () => {
    const location = await dialect.newLocation();
    writer = await openDatabase(location);
    const base = defaultConfig();
    const config: Config = {
      ...base,
      channels: { hook: { type: "webhook", url: receiver.url } },
      alerts: { evaluate_every: "0.2s", history_days: 90, rules: [{ name: "failures", kind: "run_failed", cooldown: "1h", channels: ["hook"], group_by: ["policy"] }] },
    };
    for (let i = 0; i < 3; i++) {
      const database = await openDatabase(location);
      handles.push(database);
      // Each follows the feed itself, as a server (or worker) on another machine would.
      servers.push(await startMonitoring({ database, bus: createEventBus(), config, node: `server-${i}`, followFeed: true }));
    }
  });
  afterAll(async () => {
    for (const s of servers) await s.stop();
    for (const h of handles) await h.close();
    await writer.close();
  });

  test("each failure of a new policy is notified exactly once, however the servers race", async () => {
    receiver.received.length = 0;
    const policies = ["a", "b", "c", "d"];
    for (const policy of policies) {
      await recordRun(writer.db, { file_path: `/m/${policy}.mkv`, processed_at: new Date().toISOString(), policy_name: policy, success: false, error_message: "boom" } as RunRecordInput);
      // Every server evaluates at once as well, on top of the feed and the timers.
      await Promise.all(servers.map((s) => s.evaluate()));
    }
    await until(() => receiver.received.length >= policies.length, 15_000, "a notification per policy");
    await Bun.sleep(1500); // several timer ticks of every server: nothing more may arrive
    for (const s of servers) await s.idle();
    expect(receiver.received.map((r) => r.json.data.labels.policy).sort()).toEqual(policies);
    const events = await alertHistory(writer.db);
    expect(events.filter((e) => e.kind === "firing")).toHaveLength(policies.length);
    expect(events.flatMap((e) => e.deliveries.map((d) => d.status))).toEqual(policies.map(() => "sent"));
  });
});
