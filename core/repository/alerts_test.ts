import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { forEachDialect } from "../../tests/dialects.ts";
import { openDatabase } from "../db/open.ts";
import type { DatabaseHandle } from "../db/handle.ts";
import { failedRunGroups, latestRunAt, phaseTotals, runCountGroups } from "./alert_inputs.ts";
import {
  activeSilences, addSilence, alertHistory, alertStates, type AlertChange, applyAlertChange, dueDeliveries, finishAttempt, getDelivery, leaseDelivery,
  pruneAlertHistory,
} from "./alerts.ts";
import { ID, openTestDb } from "./_fixtures.ts";
import type { Db } from "../db/handle.ts";

const NOW = "2026-03-01T12:00:00.000Z";

function firing(version: number | null, epoch: number): AlertChange {
  return {
    expectedVersion: version,
    state: {
      rule: "r", fingerprint: "", labels: "{}", status: "firing", active_since: NOW, fired_at: NOW, resolved_at: null, last_notified_at: NOW,
      epoch, notified: 1, value: 1, summary: "one run failed", details: "{}", updated_at: NOW,
    },
    event: { rule: "r", fingerprint: "", epoch, seq: 0, kind: "firing", severity: "warning", labels: "{}", value: 1, summary: "s", details: "{}", message: "{}", silenced: 0, at: NOW },
    deliveries: [{ source: "alert", channel: "ops", message: "{}", status: "pending", attempts: 0, last_error: null, created_at: NOW, updated_at: NOW, next_attempt_at: NOW, lease_until: null, delivered_at: null }],
  };
}

forEachDialect("alert state, history and deliveries", (dialect) => {
  let database: DatabaseHandle;
  let db: Db;
  beforeAll(async () => {
    database = await openDatabase(await dialect.newLocation());
    db = database.db;
  });
  afterAll(() => database.close());

  test("of two servers making the same change at once, exactly one makes the notification", async () => {
    const results = await Promise.all([applyAlertChange(db, firing(null, 1)), applyAlertChange(db, firing(null, 1))]);
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    const [state] = await alertStates(db, ["r"]);
    expect(state).toMatchObject({ status: "firing", version: 1, epoch: 1 });
    // The same from a stale version: both read version 1, one wins.
    const next = await Promise.all([applyAlertChange(db, firing(1, 2)), applyAlertChange(db, firing(1, 2))]);
    expect(next.filter((r) => r !== null)).toHaveLength(1);
    const history = await alertHistory(db, { rule: "r" });
    expect(history.map((e) => [e.epoch, e.kind, e.deliveries.length])).toEqual([[2, "firing", 1], [1, "firing", 1]]);
  });

  test("a delivery is leased by one server at a time and records each attempt", async () => {
    const [due] = await dueDeliveries(db, NOW);
    expect(due).toMatchObject({ channel: "ops", status: "pending", attempts: 0 });
    const lease = { attempts: 0, now: NOW, leaseUntil: "2026-03-01T12:01:00.000Z" };
    const taken = await Promise.all([leaseDelivery(db, due!.id, lease), leaseDelivery(db, due!.id, lease)]);
    expect(taken.filter(Boolean)).toHaveLength(1);
    expect((await dueDeliveries(db, NOW)).map((d) => d.id)).not.toContain(due!.id);
    await finishAttempt(db, due!.id, { status: "retrying", attempts: 1, error: "connection refused", now: NOW, nextAttemptAt: "2026-03-01T12:00:05.000Z" });
    expect((await dueDeliveries(db, NOW)).map((d) => d.id)).not.toContain(due!.id);
    expect((await dueDeliveries(db, "2026-03-01T12:00:05.000Z")).map((d) => d.id)).toContain(due!.id);
    await finishAttempt(db, due!.id, { status: "sent", attempts: 2, error: null, now: "2026-03-01T12:00:06.000Z", nextAttemptAt: null });
    expect(await getDelivery(db, due!.id)).toMatchObject({ status: "sent", attempts: 2, last_error: null, delivered_at: "2026-03-01T12:00:06.000Z" });
  });

  test("silences last until their end; history is pruned by age", async () => {
    await addSilence(db, { rule: "r", until: "2026-03-01T14:00:00.000Z", now: NOW });
    expect((await activeSilences(db, NOW)).get("r")).toBe("2026-03-01T14:00:00.000Z");
    expect((await activeSilences(db, "2026-03-01T14:00:00.000Z")).has("r")).toBe(false);
    const pruned = await pruneAlertHistory(db, "2026-03-02T00:00:00.000Z");
    expect(pruned.events).toBe(2);
    expect(await alertHistory(db)).toEqual([]);
  });
});

forEachDialect("what alert rules read", (dialect) => {
  let db: Db;
  let close: () => Promise<void>;
  const nodes: Record<string, string> = { [ID.R3]: "beta", [ID.R9]: "alpha" };
  beforeAll(async () => {
    const { RUNS } = await import("./_fixtures.ts");
    ({ db, close } = await openTestDb(dialect, RUNS.map((r) => ({ ...r, node: nodes[r.id!] ?? "alpha" }))));
  });
  afterAll(() => close());

  test("failed runs in a window, grouped, with the latest", async () => {
    const all = await failedRunGroups(db, { since: "2026-01-01T00:00:00.000Z" });
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ count: 2, labels: {}, latest: { id: ID.R9, error_message: "container not supported" } });
    const byNode = await failedRunGroups(db, { since: "2026-01-01T00:00:00.000Z", groupBy: ["node"] });
    expect(byNode.map((g) => [g.labels.node, g.count, g.latest.id]).sort()).toEqual([["alpha", 1, ID.R9], ["beta", 1, ID.R3]]);
    expect(await failedRunGroups(db, { since: "2026-02-02T10:00:00.001Z" })).toEqual([]);
    expect(await failedRunGroups(db, { since: "2026-01-01T00:00:00.000Z", filter: { policy: ["strip"] } })).toEqual([]);
  });

  test("finished and failed runs and savings per group; interrupted runs count for neither", async () => {
    const rows = await runCountGroups(db, { since: "2026-01-01T00:00:00.000Z", groupBy: ["policy"] });
    const byPolicy = Object.fromEntries(rows.map((r) => [r.labels.policy, r]));
    expect(byPolicy.strip).toMatchObject({ finished: 3, failed: 0, sized: 3, size_before: 5200, size_after: 4300 });
    expect(byPolicy.transcode).toMatchObject({ finished: 4, failed: 1, sized: 3, size_before: 7000, size_after: 2600 });
    expect(byPolicy.remux).toMatchObject({ finished: 2, failed: 1, sized: 1 });
  });

  test("phase totals per phase in a window; the latest run", async () => {
    const rows = await phaseTotals(db, { since: "2026-01-01T00:00:00.000Z", phase: "remux" });
    expect(rows).toEqual([{ labels: {}, phase: "remux", runs: 1, wall_time_seconds: 9.5, bytes_read: 1000, mean_fps: null }]);
    expect(await latestRunAt(db)).toBe("2026-02-02T15:00:00.000Z");
    expect(await latestRunAt(db, { policy: ["remux"] })).toBe("2026-02-02T10:00:00.000Z");
    expect(await latestRunAt(db, { policy: ["nothing"] })).toBeNull();
  });
});

describe("alert state rows", () => {
  test("a change made from a version nobody holds is refused", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const database = await openDatabase(join(mkdtempSync(join(tmpdir(), "vpo-alerts-")), "a.db"));
    try {
      expect(await applyAlertChange(database.db, firing(7, 1))).toBeNull();
      expect(await alertStates(database.db)).toEqual([]);
    } finally {
      await database.close();
    }
  });
});
