import { defineCommand } from "citty";
import { VpoError } from "../../core/mod.ts";
import { checkExposure, startServer } from "../../server/mod.ts";
import { createReportScheduler } from "../../monitor/reports/mod.ts";
import { startDailyRetention } from "../../monitor/retention/mod.ts";
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

export const serveCommand = defineCommand({
  meta: { name: "serve", description: "HTTP API (docs at /swagger), live dashboard at /, Prometheus metrics at /metrics" },
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
    }).catch(async (error) => {
      await opened.close();
      throw error;
    });
    // Scheduled reports (made once per period across every server on the database) and daily retention.
    const schedules = ctx.config.reports?.schedule ?? [];
    const scheduler = createReportScheduler({ db: opened.db, schedules, node: `${ctx.node.name}:${process.pid}`, baseUrl: server.url });
    scheduler.start();
    const stopRetention = startDailyRetention(opened.db, ctx.config.retention ?? {});
    const readOnly = token ? "" : "vpo: no API token set: reads only (POST/DELETE answer 403)\n";
    process.stdout.write(`vpo: serving ${server.url} — dashboard /, API docs /swagger, metrics /metrics (database ${opened.location})\n${readOnly}`);
    await stopRequested;
    process.stdout.write("vpo: shutting down\n");
    stopRetention();
    await scheduler.stop();
    await server.stop();
    await opened.close();
  },
});
