import { hostname } from "node:os";
import { defineCommand } from "citty";
import { VpoError } from "../../core/mod.ts";
import { type Monitoring, startMonitoring } from "../../monitor/mod.ts";
import { checkExposure, startServer } from "../../server/mod.ts";
import { createReportScheduler, type ReportScheduler } from "../../monitor/reports/mod.ts";
import { startDailyRetention } from "../../monitor/retention/mod.ts";
import { superviseConfig } from "../config_supervision.ts";
import { createContext, globalArgs } from "../context.ts";
import { serverQueueControl } from "../queue_session.ts";

function parsePort(value: string | number | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new VpoError("INVALID_ARGUMENT", `Invalid --port "${value}": expected an integer from 0 (any free port) to 65535`);
  }
  return port;
}

/** Where links in notifications point when `[server] public_url` is not set: this server, by a name others can reach. */
function reachableUrl(url: string, host: string): string {
  return host === "0.0.0.0" || host === "::" ? url.replace(/\/\/[^/]+:/, `//${hostname()}:`) : url;
}

export const serveCommand = defineCommand({
  meta: { name: "serve", description: "HTTP API (docs at /swagger), live dashboard at /, Prometheus metrics at /metrics, alerts" },
  args: {
    host: { type: "string", description: "Address to bind (default [server] host, else 127.0.0.1)" },
    port: { type: "string", description: "Port; 0 picks a free one (default [server] port, else 8321)" },
    token: { type: "string", description: "Bearer token for POST/DELETE (else VPO_TOKEN, else [server] token)" },
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    const ctx = await createContext(args, rawArgs);
    const config = ctx.config.server ?? {};
    const host = args.host || config.host || "127.0.0.1";
    const port = parsePort(args.port, config.port ?? 8321);
    const token = args.token || process.env.VPO_TOKEN || config.token || null;
    checkExposure(host, token);
    // Listen for the signals before announcing the URL: a supervisor may stop us right after.
    const stopRequested = new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    const opened = await ctx.open();
    // The config in force from now on: reloaded on a change of the file, SIGHUP or POST /api/config/reload.
    const supervision = superviseConfig(ctx, args);
    const { reloader } = supervision;
    let monitoring: Monitoring | null = null;
    const server = await startServer({
      database: opened,
      bus: ctx.bus,
      registry: ctx.registry,
      token,
      corsOrigins: config.cors_origins,
      bodyLimit: config.body_limit_bytes,
      queue: serverQueueControl(ctx.location, ctx.config, opened.db),
      host,
      port,
      monitor: {
        config: () => reloader.current.config,
        status: () => monitoring?.status() ?? [],
        reload: () => reloader.reload("POST /api/config/reload"),
        configInfo: () => ({ version: reloader.version, loaded_at: reloader.loadedAt }),
      },
    }).catch(async (error) => {
      await opened.close();
      throw error;
    });
    monitoring = await startMonitoring({
      database: { db: server.vpo.db },
      bus: ctx.bus,
      config: ctx.config,
      node: ctx.node.name,
      publicUrl: reachableUrl(server.url, host),
      onDelivery: (d) => server.vpo.selfMetrics.countDelivery(d),
    });
    reloader.onChange((next) => monitoring?.reconfigure(next.config));

    // Scheduled reports (made once per period across every server on the database) and daily
    // retention; both restart with the new settings when the config changes.
    const startSchedules = (config: typeof ctx.config) => {
      const s = createReportScheduler({ db: opened.db, schedules: config.reports?.schedule ?? [], node: `${ctx.node.name}:${process.pid}`, baseUrl: config.server?.public_url ?? reachableUrl(server.url, host), channels: () => reloader.current.config.channels ?? {}, queue: (channel, message) => monitoring!.dispatcher.enqueue("report", channel, message) });
      s.start();
      return s;
    };
    let scheduler: ReportScheduler = startSchedules(ctx.config);
    let stopRetention = startDailyRetention(opened.db, ctx.config.retention ?? {});
    reloader.onChange(async (next, previous) => {
      if (JSON.stringify([next.config.reports, next.config.server?.public_url]) !== JSON.stringify([previous.config.reports, previous.config.server?.public_url])) {
        await scheduler.stop();
        scheduler = startSchedules(next.config);
      }
      if (JSON.stringify(next.config.retention) !== JSON.stringify(previous.config.retention)) {
        stopRetention();
        stopRetention = startDailyRetention(opened.db, next.config.retention ?? {});
      }
    });
    const readOnly = token ? "" : "vpo: no API token set: reads only (POST/DELETE answer 403)\n";
    process.stdout.write(`vpo: serving ${server.url} — dashboard /, API docs /swagger, metrics /metrics (database ${opened.location})\n${readOnly}`);
    await stopRequested;
    process.stdout.write("vpo: shutting down\n");
    supervision.stop();
    await monitoring.stop();
    stopRetention();
    await scheduler.stop();
    await server.stop();
    await opened.close();
  },
});
