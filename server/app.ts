import { cors } from "@elysiajs/cors";
import { availableParallelism } from "node:os";
import { getLogger } from "@logtape/logtape";
import { Elysia, NotFoundError, ParseError, ValidationError } from "elysia";
import { type DatabaseHandle, type Db, type EventBus, followRunFeed, type PluginRegistry, type RunFeedFollower } from "../core/mod.ts";
import pkg from "../package.json" with { type: "json" };
import { DEFAULT_BODY_LIMIT } from "./body.ts";
import { cacheKey, createViewCache, type ViewCache } from "./cache.ts";
import { jsonBody, type QueueControl, type RouteDeps } from "./deps.ts";
import { guardWrites } from "./auth.ts";
import { describeUnexpected, errorResponse, HttpError, toErrorBody } from "./errors.ts";
import { openapiPlugin } from "./openapi.ts";
import { createRunMetrics, type RunMetrics } from "./prometheus.ts";
import { createInlineReader, feedReaderOf, type Reader } from "./reads/ops.ts";
import { createWorkerReader } from "./reads/pool.ts";
import { eventRoutes } from "./routes/events.ts";
import { jobRoutes } from "./routes/jobs.ts";
import { nodeRoutes } from "./routes/nodes.ts";
import { queueRoutes } from "./routes/queue.ts";
import { pollProgress } from "./progress_poller.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { type MonitorDeps, monitoringRoutes } from "./routes/monitoring.ts";
import { createSelfMetrics, type SelfMetrics } from "./self_metrics.ts";
import { createRouteLabeler } from "./timing.ts";
import { analysisRoutes } from "./routes/analysis.ts";
import { reportRoutes } from "./routes/reports.ts";
import { statsRoutes } from "./routes/stats.ts";
import { statsWriteRoutes } from "./routes/stats_write.ts";
import { systemRoutes } from "./routes/system.ts";
import { createSseHub, type SseHub } from "./sse.ts";
import { staticRoutes } from "./static.ts";
import { validationToHttpError } from "./validation_errors.ts";
import { queuedJobs } from "../monitor/queue_depth.ts";

const log = getLogger(["vpo", "server"]);

export interface AppOptions {
  /** The open database; every write goes through it. SQLite files are also read by worker threads. */
  database: DatabaseHandle;
  bus: EventBus;
  registry: PluginRegistry;
  /** Bearer token for writes; null or empty disables them (403). */
  token?: string | null;
  /** Origins allowed by CORS; none (the default) sends no CORS headers. */
  corsOrigins?: string[];
  /** Largest request body in bytes (default 10 MiB). */
  bodyLimit?: number;
  /** Read worker threads for the cheap views (default: cores − 1, between 1 and 4; one more serves the scans), or "inline" to read on the main thread. */
  readers?: number | "inline";
  /** Longest a read may take before it is stopped and answered 503 (default 10 s). */
  readBudgetMs?: number;
  /** SSE heartbeat interval (default 15 s). */
  heartbeatMs?: number;
  /** How often the run feed is read whatever happens (default 1 s); writes also wake it at once. */
  pollMs?: number;
  /** Monitoring: the config in force (alert rules), this server's view of them, config reload and its version for /health. */
  monitor?: MonitorDeps & { configInfo?(): { version: number; loaded_at: string } };
  /** Jobs waiting in the queue, for /metrics (a process with a job queue); absent: not exposed. */
  queueDepth?: () => Promise<number | null>;
  /** The job queue, for POST /api/queue/{id}/retry (PostgreSQL only); closed with the app. */
  queue?: QueueControl;
  /** How often the runs in progress on every machine are read for `file.progress` events (default 1 s). */
  progressPollMs?: number;
}

/** The server without a socket: `handle` a Request, then `close`. */
export interface VpoApp {
  app: Elysia<any, any, any, any, any, any, any>;
  handle(request: Request): Promise<Response>;
  /** Resolves once metrics are counted from the database. */
  ready: Promise<void>;
  cache: ViewCache;
  sse: SseHub;
  metrics: RunMetrics;
  /** vpo's own performance: request and query durations, feed lag, alert deliveries. */
  selfMetrics: SelfMetrics;
  /** The database connection with every statement timed for /metrics (monitoring uses it too). */
  db: Db;
  /** Follows the run feed: every run and purge by any process on the database reaches the bus. */
  feed: Promise<RunFeedFollower>;
  /** Ends event streams, stops the read workers; leaves the database open (the caller owns it). */
  close(): Promise<void>;
}

const CACHED_PREFIXES = ["/api/stats/", "/api/jobs"];

function isCacheable(request: Request): boolean {
  if (request.method !== "GET") return false;
  const url = request.url;
  const path = url.slice(url.indexOf("/", url.indexOf("//") + 2));
  return CACHED_PREFIXES.some((p) => path.startsWith(p));
}

function onError({ error, request }: { error: unknown; request: Request }): Response {
  if (error instanceof NotFoundError) {
    return errorResponse(404, { error: `No route ${request.method} ${new URL(request.url).pathname}`, code: "NOT_FOUND" });
  }
  if (error instanceof ValidationError && error.type !== "response") {
    const http = validationToHttpError(error);
    return errorResponse(http.status, { error: http.message, code: http.code, details: http.details });
  }
  if (error instanceof ParseError) {
    const cause = (error as { cause?: unknown }).cause;
    const http = cause instanceof HttpError ? cause : new HttpError(400, "MALFORMED_JSON", "Request body is not valid JSON");
    return errorResponse(http.status, { error: http.message, code: http.code, ...(http.details === undefined ? {} : { details: http.details }) });
  }
  const { status, body, headers } = toErrorBody(error);
  if (status >= 500) log.error("{method} {url} failed: {error}", { method: request.method, url: request.url, error: describeUnexpected(error) });
  return errorResponse(status, body, headers);
}

/**
 * Builds the HTTP API, dashboard, SSE and metrics over an open database. Nothing listens:
 * serve it with startServer, or call `handle` in tests.
 *
 * @example
 * const database = await openDatabase("library.db");
 * const server = createApp({ database, bus: createEventBus(), registry, token: "s3cret" });
 * const res = await server.handle(new Request("http://localhost/api/stats/summary"));
 */
export function createApp(options: AppOptions): VpoApp {
  const version = pkg.version;
  const { database } = options;
  const readers = options.readers ?? Math.max(1, Math.min(4, availableParallelism() - 1));
  // Worker threads only help SQLite, whose queries block the thread; PostgreSQL's pool is asynchronous.
  const inline = readers === "inline" || database.dialect !== "sqlite" || database.location === ":memory:";
  const budget = { budgetMs: options.readBudgetMs };
  const cache = createViewCache();
  const sse = createSseHub(options.bus, { heartbeatMs: options.heartbeatMs });
  let reader: Reader;
  const metrics = createRunMetrics(() => reader.read("policyTotals", {}), {
    vpo_sse_clients: { help: "Open /api/events streams", read: () => sse.clients },
    vpo_view_cache_entries: { help: "View responses held in the cache", read: () => cache.size },
  }, { queueDepth: options.queueDepth ?? (() => queuedJobs(database.db)) });
  const selfMetrics = createSelfMetrics(metrics.registry);
  const db = database.db.withPlugin(selfMetrics.queryTimer);
  reader = selfMetrics.timedReader(inline ? createInlineReader(db, budget) : createWorkerReader(database.location, { size: readers as number, ...budget }));
  const feed = followRunFeed(selfMetrics.timedFeed(feedReaderOf(reader)), options.bus, { pollMs: options.pollMs });
  feed.catch((error) => log.error("Could not follow the run feed: {error}", { error: String(error) }));
  // Another process wrote (a run, a job, a purge): cached views may be stale, and the feed has news.
  const unwatch = database.listen(() => {
    cache.invalidate();
    void feed.then((f) => f.poke());
  });
  const ready = feed.then(() => {});
  const stopProgress = pollProgress(reader, options.bus, { intervalMs: options.progressPollMs, listening: () => sse.clients > 0 });
  const offBus = [
    options.bus.on("run.recorded", () => cache.invalidate()),
    options.bus.on("runs.purged", () => cache.invalidate()),
    options.bus.on("job.updated", () => cache.invalidate()),
  ];

  const deps: RouteDeps = {
    db,
    reader,
    cache,
    bus: options.bus,
    registry: options.registry,
    token: options.token || null,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    version,
    queue: options.queue,
    onWrite() {
      cache.invalidate();
      void feed.then((f) => f.poke());
    },
  };

  const origins = options.corsOrigins ?? [];
  // Every answer is timed by route pattern and status (/metrics) and says how long it took (Server-Timing).
  const started = new WeakMap<Request, number>();
  const counted = new WeakSet<Request>();
  const routeOf = createRouteLabeler(() => app.routes);
  const timed = (request: Request, status: number, headers: Headers | Record<string, unknown>, what = "app") => {
    const t0 = started.get(request);
    if (t0 === undefined || counted.has(request)) return;
    counted.add(request);
    const ms = performance.now() - t0;
    const value = `${what};dur=${ms.toFixed(2)}`;
    if (headers instanceof Headers) headers.set("server-timing", value);
    else headers["server-timing"] = value;
    selfMetrics.observeRequest({ method: request.method, route: routeOf(request), status, seconds: ms / 1000 });
  };
  const app = new Elysia({ name: "vpo-server" })
    .onRequest(({ request }) => void started.set(request, performance.now()))
    .use(origins.length ? cors({ origin: origins, methods: ["GET", "POST", "DELETE"], allowedHeaders: ["authorization", "content-type"], credentials: false }) : new Elysia())
    .onRequest(({ request }) => {
      guardWrites(request, deps.token);
      // Hot path: a cached view answers before routing and validation (it was valid when stored).
      if (!isCacheable(request)) return;
      const body = cache.peek(cacheKey(request.url));
      if (body === undefined) return;
      const response = jsonBody(body);
      timed(request, 200, response.headers, "cache");
      return response;
    })
    .onAfterHandle({ as: "global" }, ({ request, set, response }) => {
      const status = response instanceof Response ? response.status : typeof set.status === "number" ? set.status : 200;
      timed(request, status, response instanceof Response ? response.headers : (set.headers as Record<string, unknown>));
    })
    .onError((context) => {
      const response = onError(context as never);
      timed(context.request, response.status, response.headers);
      return response;
    })
    .use(openapiPlugin(version))
    .use(staticRoutes())
    .use(systemRoutes(deps, options.monitor?.configInfo))
    .use(monitoringRoutes(deps, options.monitor))
    .use(statsWriteRoutes(deps))
    .use(analysisRoutes(deps))
    .use(reportRoutes(deps))
    .use(statsRoutes(deps))
    .use(jobRoutes(deps))
    .use(queueRoutes(deps))
    .use(nodeRoutes(deps))
    .use(eventRoutes(sse))
    .use(metricsRoutes(metrics, ready));

  return {
    app,
    handle: (request) => app.handle(request),
    ready,
    cache,
    sse,
    metrics,
    selfMetrics,
    db,
    feed,
    async close() {
      for (const off of offBus) off();
      stopProgress();
      unwatch();
      const follower = await feed.catch(() => null);
      follower?.stop();
      sse.closeAll();
      await follower?.settled();
      await reader.close();
      await options.queue?.close();
    },
  };
}
