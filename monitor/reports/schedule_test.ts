import { expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getReport, listReports, openDatabase, recordRuns } from "../../core/mod.ts";
import { forEachDialect } from "../../tests/dialects.ts";
import { until, webhookReceiver } from "../../tests/monitor/_receivers.ts";
import { systemClock } from "../clock.ts";
import { createDispatcher } from "../dispatcher.ts";
import { perfHistory } from "../../tests/fixtures/perf_history.ts";
import { createReportScheduler, lastFire, type ReportSchedule } from "./schedule.ts";

/** A clock the test moves. */
const testClock = (iso: string) => {
  let now = new Date(iso);
  return { now: () => now, set: (to: string) => (now = new Date(to)) };
};

test("lastFire is the latest cron time at or before now, in the schedule's time zone", () => {
  const weekly: ReportSchedule = { name: "w", cron: "0 6 * * 1", period: "week" };
  expect(lastFire(weekly, new Date("2026-02-02T06:00:00Z"))?.toISOString()).toBe("2026-02-02T06:00:00.000Z");
  expect(lastFire(weekly, new Date("2026-02-02T05:59:59Z"))?.toISOString()).toBe("2026-01-26T06:00:00.000Z");
  expect(lastFire({ ...weekly, timezone: "Europe/Paris" }, new Date("2026-02-02T05:30:00Z"))?.toISOString()).toBe("2026-02-02T05:00:00.000Z");
});

forEachDialect("report schedules", (dialect) => {
  test("a schedule fires when the clock reaches it, and after downtime catches up once, for the latest period", async () => {
    const { db, close } = await openDatabase(await dialect.newLocation());
    const folder = mkdtempSync(join(tmpdir(), "vpo-reports-"));
    try {
      await recordRuns(db, perfHistory({ runs: 400, seed: 5, start: "2026-01-05T00:00:00Z" }));
      const clock = testClock("2026-02-02T05:59:00Z"); // Monday, a minute before the weekly time
      const schedules: ReportSchedule[] = [{ name: "weekly", cron: "0 6 * * 1", period: "week", format: "md", channels: [`file:${folder}`] }];
      const scheduler = createReportScheduler({ db, schedules, clock, node: "a" });
      // At first start the last fire time (a week ago) had no report: it is made now.
      expect((await scheduler.tick()).map((r) => r.period_key)).toEqual(["week 2026-W04"]);
      clock.set("2026-02-02T05:59:59Z");
      expect(await scheduler.tick()).toEqual([]);
      clock.set("2026-02-02T06:00:00Z");
      const made = await scheduler.tick();
      expect(made.map((r) => r.period_key)).toEqual(["week 2026-W05"]);
      expect(made[0]!.deliveries).toEqual([{ channel: `file:${folder}`, ok: true, detail: join(folder, "vpo-report-weekly-2026-W05.md") }]);
      const stored = await getReport(db, made[0]!.id);
      expect(stored).toMatchObject({ status: "done", since: "2026-01-26T00:00:00.000Z", until: "2026-02-02T00:00:00.000Z", content_type: "text/markdown; charset=utf-8" });
      expect(new TextDecoder().decode(stored.body!)).toBe(readFileSync(join(folder, "vpo-report-weekly-2026-W05.md"), "utf8"));
      expect(await scheduler.tick()).toEqual([]);
      await scheduler.stop();

      // Down for three weeks (three Mondays missed): the next start makes one report, the latest week's.
      clock.set("2026-02-25T12:00:00Z");
      const restarted = createReportScheduler({ db, schedules, clock, node: "a" });
      expect((await restarted.tick()).map((r) => r.period_key)).toEqual(["week 2026-W08"]);
      expect(await restarted.tick()).toEqual([]);
      expect((await listReports(db)).map((r) => r.period_key)).toEqual(["week 2026-W08", "week 2026-W05", "week 2026-W04"]);
      expect(existsSync(join(folder, "vpo-report-weekly-2026-W07.md"))).toBe(false);
    } finally {
      await close();
    }
  }, 60_000);

  test("two servers on one database make each report once", async () => {
    const location = await dialect.newLocation();
    const a = await openDatabase(location);
    const b = await openDatabase(location);
    try {
      await recordRuns(a.db, perfHistory({ runs: 100, seed: 6, start: "2026-01-20T00:00:00Z" }));
      const schedules: ReportSchedule[] = [
        { name: "daily", cron: "0 1 * * *", period: "day", format: "json" },
        { name: "weekly", cron: "0 6 * * 1", period: "week", format: "pdf" },
      ];
      const clock = testClock("2026-02-02T07:00:00Z");
      const made = await Promise.all([
        createReportScheduler({ db: a.db, schedules, clock, node: "server-a" }).tick(),
        createReportScheduler({ db: b.db, schedules, clock, node: "server-b" }).tick(),
        createReportScheduler({ db: a.db, schedules, clock, node: "server-a2" }).tick(),
      ]);
      expect(made.flat().map((r) => r.period_key).sort()).toEqual(["day 2026-02-01", "week 2026-W05"]);
      const stored = await listReports(b.db);
      expect(stored.map((r) => [r.schedule, r.period_key, r.status]).sort()).toEqual([["daily", "day 2026-02-01", "done"], ["weekly", "week 2026-W05", "done"]]);
      const pdf = await getReport(b.db, stored.find((r) => r.schedule === "weekly")!.id);
      expect(new TextDecoder().decode(pdf.body!.subarray(0, 5))).toBe("%PDF-");
    } finally {
      await a.close();
      await b.close();
    }
  }, 60_000);

  test("with a server's dispatcher, a channel that is down gets the report once it is back: retried, and the report tells", async () => {
    const { db, close } = await openDatabase(await dialect.newLocation());
    const hook = webhookReceiver();
    try {
      await recordRuns(db, perfHistory({ runs: 50, seed: 7, start: "2026-01-26T00:00:00Z" }));
      const channels = { hook: { type: "webhook" as const, url: hook.url, retries: 2, backoff: "0.2s", timeout: "2s" } };
      const dispatcher = createDispatcher({ db, channels: () => channels, clock: systemClock });
      const schedules: ReportSchedule[] = [{ name: "weekly", cron: "0 6 * * 1", period: "week", format: "md", channels: ["hook"] }];
      hook.answer(503);
      const scheduler = createReportScheduler({
        db, schedules, clock: testClock("2026-02-02T07:00:00Z"), node: "a", channels: () => channels,
        queue: (channel, message) => dispatcher.enqueue("report", channel, message),
      });
      const [made] = await scheduler.tick();
      expect(made!.deliveries).toEqual([{ channel: "hook", ok: null, status: "pending", detail: hook.url, delivery_id: expect.any(Number) }]);
      await until(() => hook.received.length >= 1, 10_000, "the first attempt");
      hook.answer(200); // back up: the retry gets through
      await until(() => hook.received.length >= 2, 10_000, "the retry");
      await dispatcher.idle();
      expect(hook.received[1]!.json).toMatchObject({ subject: "vpo weekly report: 2026-W05", data: { report_id: made!.id } });
      const [stored] = (await getReport(db, made!.id)).deliveries as Record<string, unknown>[];
      expect(stored).toMatchObject({ channel: "hook", ok: true, status: "sent", attempts: 2, delivery_id: made!.deliveries[0]!.delivery_id });
      dispatcher.stop();
      await scheduler.stop();
    } finally {
      hook.stop();
      await close();
    }
  }, 60_000);
});
