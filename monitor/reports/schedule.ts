import { hostname } from "node:os";
import { getLogger } from "@logtape/logtape";
import { Cron } from "croner";
import { type ChannelConfig, claimReport, completeReport, type Config, type Db, errorMessage, failReport, setReportDeliveries } from "../../core/mod.ts";
import { buildReport } from "./build.ts";
import { deliverReport, type DeliverableReport, type Delivery, type DeliveryQueue } from "./deliver.ts";
import { lastCompletePeriod } from "./period.ts";
import { CONTENT_TYPES, renderReport, type ReportFormat } from "./render.ts";

const log = getLogger(["vpo", "reports"]);

/** One `[[reports.schedule]]`. */
export type ReportSchedule = NonNullable<NonNullable<Config["reports"]>["schedule"]>[number];

/** The time the scheduler goes by; tests move it by hand. */
export interface Clock {
  now(): Date;
}

export interface SchedulerOptions {
  db: Db;
  schedules: readonly ReportSchedule[];
  /** Who makes the reports, for the claim (default host:pid). */
  node?: string;
  clock?: Clock;
  /** The server's URL, for links to `/api/reports/{id}`. */
  baseUrl?: string;
  /** Delivery (default deliverReport): the one place reports leave vpo. */
  deliver?: (report: DeliverableReport, channels: readonly string[], named: Record<string, ChannelConfig>, queue?: DeliveryQueue) => Promise<Delivery[]>;
  /** The server's delivery dispatcher: named channels are then retried like alerts (see deliverReport). */
  queue?: DeliveryQueue;
  /** The `[channels.<name>]` in force (hot reload changes them) for schedules that name them. */
  channels?: () => Record<string, ChannelConfig>;
  /** Longest sleep between checks (default 60 s), so a moved clock or a suspended machine is noticed. */
  maxSleepMs?: number;
}

/** A report this process made. */
export interface MadeReport {
  id: string;
  schedule: string;
  period_key: string;
  deliveries: Delivery[];
}

export interface ReportScheduler {
  /** Makes every report that is due at the clock's time and not yet made (by any process); what it made. */
  tick(): Promise<MadeReport[]>;
  /** Ticks now (catching up what was missed while down), then at each schedule's next time. */
  start(): void;
  stop(): Promise<void>;
}

/** The latest time a schedule fired at or before `now`, or null. */
export function lastFire(schedule: ReportSchedule, now: Date): Date | null {
  const cron = new Cron(schedule.cron, { paused: true, timezone: schedule.timezone ?? "UTC" });
  // previousRuns looks strictly before its reference: one millisecond on includes `now` itself.
  const [last] = cron.previousRuns(1, new Date(now.getTime() + 1));
  cron.stop();
  return last ?? null;
}

/**
 * Makes scheduled reports. At each tick, each schedule's latest fire time at or before now names
 * a period (the last complete day, week or month then); if no report of that schedule and period
 * exists, this process claims it in the database — an insert under the unique key (schedule,
 * period), so with several servers exactly one makes it — builds, stores and delivers it. A
 * schedule missed while no server ran is thus made once at the next start, for its latest period.
 *
 * @example const s = createReportScheduler({ db, schedules: config.reports.schedule }); s.start();
 */
export function createReportScheduler(o: SchedulerOptions): ReportScheduler {
  const clock = o.clock ?? { now: () => new Date() };
  const node = o.node ?? `${hostname()}:${process.pid}`;
  const deliver = o.deliver ?? deliverReport;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();

  async function make(schedule: ReportSchedule, fire: Date): Promise<MadeReport | null> {
    const window = lastCompletePeriod(schedule.period, fire);
    const format = (schedule.format ?? "pdf") as ReportFormat;
    const period_key = `${schedule.period} ${window.label}`;
    const now = clock.now();
    const id = await claimReport(o.db, {
      schedule: schedule.name, period_key, period: schedule.period, since: window.since, until: window.until, format, content_type: CONTENT_TYPES[format], claimed_by: node, now,
    });
    if (id === null) return null;
    try {
      const data = await buildReport(o.db, { window, period: schedule.period, now, title: `vpo ${schedule.name} report: ${window.label}` });
      const rendered = await renderReport(data, format);
      await completeReport(o.db, id, rendered.body, clock.now());
      const report: DeliverableReport = {
        id, schedule: schedule.name, period_key, title: data.title, since: window.since, until: window.until, format, content_type: rendered.contentType,
        filename: `vpo-report-${schedule.name}-${window.label}.${rendered.extension}`, body: rendered.body, link: o.baseUrl ? `${o.baseUrl}/api/reports/${id}` : null,
      };
      const deliveries = await deliver(report, schedule.channels ?? [], o.channels?.() ?? {}, o.queue);
      await setReportDeliveries(o.db, id, deliveries);
      log.info("Made report {schedule} {period}", { schedule: schedule.name, period: period_key });
      return { id, schedule: schedule.name, period_key, deliveries };
    } catch (error) {
      await failReport(o.db, id, errorMessage(error), clock.now()).catch(() => {});
      throw error;
    }
  }

  async function tick(): Promise<MadeReport[]> {
    const made: MadeReport[] = [];
    const now = clock.now();
    for (const schedule of o.schedules) {
      const fire = lastFire(schedule, now);
      if (fire === null) continue;
      try {
        const report = await make(schedule, fire);
        if (report) made.push(report);
      } catch (error) {
        log.error("Report {schedule} failed: {error}", { schedule: schedule.name, error: errorMessage(error) });
      }
    }
    return made;
  }

  function arm() {
    if (stopped || o.schedules.length === 0) return;
    const now = clock.now();
    const next = Math.min(...o.schedules.map((s) => {
      const cron = new Cron(s.cron, { paused: true, timezone: s.timezone ?? "UTC" });
      const at = cron.nextRun(now)?.getTime() ?? Infinity;
      cron.stop();
      return at;
    }));
    const wait = Math.max(10, Math.min(next - now.getTime() + 5, o.maxSleepMs ?? 60_000));
    timer = setTimeout(() => {
      running = tick().finally(arm);
    }, wait);
  }

  return {
    tick,
    start() {
      running = tick().finally(arm);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running.catch(() => {});
    },
  };
}
