import { Elysia } from "elysia";
import * as v from "valibot";
import { type Config, LOG_STORE_LEVELS, LogEntrySchema, type LogStoreLevel, parseTimeBound, parseTimeRange } from "../../core/mod.ts";
import type { ReloadOutcome, RuleStatus } from "../../monitor/mod.ts";
import { RuleOverviewSchema } from "../../monitor/overview.ts";
import { authorizeWrite } from "../auth.ts";
import type { RouteDeps } from "../deps.ts";
import { ErrorBodySchema, HttpError } from "../errors.ts";
import { nameParam, plainText, positiveIntParam, timeParam, toInt, windowParams } from "../params.ts";

/** What the server knows of monitoring besides the database: the config in force, this server's view of its rules, the reloader. */
export interface MonitorDeps {
  config(): Config;
  status?(): RuleStatus[];
  reload?(): Promise<ReloadOutcome>;
}

const iso = v.pipe(v.string(), v.description("UTC ISO-8601 datetime"));
const DeliverySchema = v.object({
  id: v.number(),
  channel: v.string(),
  status: v.picklist(["pending", "retrying", "sent", "failed"]),
  attempts: v.number(),
  last_error: v.nullable(v.string()),
  delivered_at: v.nullable(iso),
  updated_at: iso,
});
const HistoryEntrySchema = v.object({
  id: v.number(),
  rule: v.string(),
  fingerprint: v.string(),
  epoch: v.number(),
  seq: v.number(),
  kind: v.pipe(v.picklist(["firing", "resolved", "silenced", "test"]), v.description("firing (seq 0: fired, then reminders), resolved, silenced (held back), test")),
  severity: v.string(),
  labels: v.string(),
  value: v.nullable(v.number()),
  summary: v.nullable(v.string()),
  details: v.nullable(v.string()),
  message: v.nullable(v.string()),
  silenced: v.number(),
  at: iso,
  deliveries: v.array(DeliverySchema),
});
const RuleWithStatusSchema = v.object({
  ...RuleOverviewSchema.entries,
  unavailable: v.pipe(v.nullable(v.string()), v.description("Why this server cannot evaluate the rule (e.g. no job queue), if so")),
});
const ReloadSchema = v.object({ changed: v.boolean(), version: v.number(), loaded_at: iso, restart_needed: v.array(v.string()) });

const HistoryQuery = v.strictObject({
  since: timeParam("Only notifications from this time: ISO date/datetime or relative 24h, 7d"),
  rule: nameParam("Only this rule"),
  limit: positiveIntParam("How many, newest first; default 100", 1000),
});
const LogsQuery = v.strictObject({
  level: v.optional(v.pipe(v.picklist(LOG_STORE_LEVELS, `expected one of ${LOG_STORE_LEVELS.join(", ")}`), v.description("This level and above"))),
  ...windowParams,
  job: nameParam("Only records of this job (full id)"),
  run: nameParam("Only records of this run (full id)"),
  grep: v.optional(v.pipe(plainText, v.minLength(1, "expected some text"), v.description("Text in the message or the file path, any case"))),
  after: v.optional(v.pipe(v.string(), v.regex(/^\d{1,15}$/, "expected a record id"), v.description("Only records after this id (to follow the store)"))),
  limit: positiveIntParam("The newest N records (default 200), oldest first", 1000),
});

/** GET /api/alerts, GET /api/alerts/history, GET /api/logs, POST /api/config/reload. */
export function monitoringRoutes(deps: RouteDeps, monitor: MonitorDeps | undefined) {
  const tags = ["monitoring"];
  return new Elysia({ name: "vpo-monitoring-routes" })
    .get("/api/alerts", async () => {
      const config = monitor?.config() ?? {};
      const rules = await deps.reader.read("alertOverview", { config, now: new Date().toISOString() });
      const status = new Map((monitor?.status?.() ?? []).map((s) => [s.name, s.unavailable ?? s.error]));
      return rules.map((r) => ({ ...r, unavailable: status.get(r.rule) ?? null }));
    }, {
      query: v.strictObject({}),
      response: { 200: v.array(RuleWithStatusSchema) },
      detail: { tags, summary: "Every alert rule in force and its state: ok, pending or firing (each alert with what holds), silences" },
    })
    .get("/api/alerts/history", ({ query }) => deps.reader.read("alertHistory", {
      since: query.since === undefined ? undefined : parseTimeBound(query.since, "since"),
      rule: query.rule,
      limit: toInt(query.limit),
    }), {
      query: HistoryQuery,
      response: { 200: v.array(HistoryEntrySchema), 400: ErrorBodySchema },
      detail: { tags, summary: "Notifications newest first (fired, reminders, resolved, silenced, tests) with each delivery's outcome" },
    })
    .get("/api/logs", ({ query }) => {
      const range = parseTimeRange({ since: query.since, until: query.until });
      return deps.reader.read("logs", {
        level: query.level as LogStoreLevel | undefined, since: range.since, until: range.until, jobId: query.job, runId: query.run, grep: query.grep,
        afterId: query.after === undefined ? undefined : Number(query.after), limit: toInt(query.limit),
      });
    }, {
      query: LogsQuery,
      response: { 200: v.array(LogEntrySchema), 400: ErrorBodySchema },
      detail: { tags, summary: "Log records kept in the database ([logging] store_level and above), oldest first" },
    })
    .post("/api/config/reload", async ({ set }) => {
      if (!monitor?.reload) throw new HttpError(503, "RELOAD_UNAVAILABLE", "This server was started without a config file to reload");
      const outcome = await monitor.reload();
      if (!outcome.ok) throw new HttpError(422, "INVALID_CONFIG", `The config was not reloaded; version ${outcome.version} stays in force: ${outcome.error}`);
      set.status = 200;
      return { changed: outcome.changed, version: outcome.version, loaded_at: outcome.loaded_at, restart_needed: outcome.restart_needed };
    }, {
      transform: ({ request }) => authorizeWrite(request, deps.token),
      query: v.strictObject({}),
      response: { 200: ReloadSchema, 401: ErrorBodySchema, 403: ErrorBodySchema, 422: ErrorBodySchema, 503: ErrorBodySchema },
      detail: {
        tags,
        summary: "Reload config.toml now (as on a change of the file or SIGHUP)",
        description: "Needs `Authorization: Bearer <token>`. The new config is validated first: an invalid one answers 422 naming the key, and the old one stays in force. `restart_needed` lists changed settings that take effect only at the next start.",
        security: [{ bearer: [] }],
      },
    });
}
