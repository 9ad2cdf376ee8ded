/**
 * What every `vpo worker` runs beside its jobs, as `vpo serve` does: alert rules evaluated on the
 * run feed (every machine's runs) and on a timer, config hot reload (file, SIGHUP), and daily
 * retention. Several workers and servers on one database still notify each alert once: every
 * change of an alert is a compare-and-set in the database with its notification.
 */
import { REPORTED_LOG_CATEGORIES } from "../engine/mod.ts";
import { startMonitoring } from "../monitor/mod.ts";
import { startDailyRetention } from "../monitor/retention/mod.ts";
import type { WorkerService } from "./commands/worker.ts";
import { superviseConfig } from "./config_supervision.ts";

export const workerMonitoring: WorkerService = async ({ session, args }) => {
  const { ctx, db } = session;
  const supervision = superviseConfig(ctx, args, { reportedLogCategories: REPORTED_LOG_CATEGORIES });
  // The worker's bus carries only its own runs: monitoring follows the feed itself.
  const monitoring = await startMonitoring({ database: { db }, bus: ctx.bus, config: ctx.config, node: ctx.node.name, followFeed: true });
  let stopRetention = startDailyRetention(db, ctx.config.retention ?? {});
  supervision.reloader.onChange((next, previous) => {
    monitoring.reconfigure(next.config);
    if (JSON.stringify(next.config.retention) !== JSON.stringify(previous.config.retention)) {
      stopRetention();
      stopRetention = startDailyRetention(db, next.config.retention ?? {});
    }
  });
  return async () => {
    supervision.stop();
    stopRetention();
    await monitoring.stop();
  };
};
