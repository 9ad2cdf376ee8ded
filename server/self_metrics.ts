/**
 * vpo's own performance in /metrics: HTTP request durations by route and status, database query
 * durations by query name (the named reads, and every statement on the server's own connection
 * via a Kysely plugin), how late the run feed delivers runs, alert deliveries by result and, when
 * the process has a job queue, its depth. Event-loop lag and memory come from prom-client's
 * default metrics (`vpo_nodejs_eventloop_lag_*`, `vpo_process_resident_memory_bytes`, …).
 */
import type { KyselyPlugin, OperationNode, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from "kysely";
import { Counter, Histogram, type Registry } from "prom-client";
import type { FeedReader } from "../core/mod.ts";
import type { Reader } from "./reads/ops.ts";

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface SelfMetrics {
  /** Records one answered request; returns the Server-Timing value for it. */
  observeRequest(o: { method: string; route: string; status: number; seconds: number }): void;
  countDelivery(o: { channel: string; result: string }): void;
  /** Times each named read. */
  timedReader(reader: Reader): Reader;
  /** Observes how late each feed entry is delivered. */
  timedFeed(feed: FeedReader): FeedReader;
  /** A Kysely plugin timing every statement by `<kind> <table>`. */
  queryTimer: KyselyPlugin;
}

/** `select processing_stats`, `insert alert_events`, `raw`: a query's name from its operation node. */
export function queryName(node: RootOperationNode): string {
  const tableOf = (n: unknown): string | undefined => {
    const t = n as { kind?: string; table?: { identifier?: { name?: string } }; node?: unknown } | undefined;
    if (!t) return undefined;
    if (t.kind === "TableNode") return t.table?.identifier?.name;
    if (t.kind === "AliasNode") return tableOf(t.node);
    return undefined;
  };
  const n = node as OperationNode & { from?: { froms?: unknown[] }; into?: unknown; table?: unknown };
  switch (n.kind) {
    case "SelectQueryNode": return `select ${tableOf(n.from?.froms?.[0]) ?? "(expression)"}`;
    case "InsertQueryNode": return `insert ${tableOf(n.into) ?? "?"}`;
    case "UpdateQueryNode": return `update ${tableOf(n.table) ?? "?"}`;
    case "DeleteQueryNode": return `delete ${tableOf(n.from?.froms?.[0]) ?? "?"}`;
    case "RawNode": return "raw";
    default: return n.kind.replace(/Node$/, "").toLowerCase();
  }
}

export function createSelfMetrics(registry: Registry): SelfMetrics {
  const http = new Histogram({
    name: "vpo_http_request_duration_seconds",
    help: "Time to answer an HTTP request (until the response starts), by method, route pattern and status",
    labelNames: ["method", "route", "status"],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const queries = new Histogram({
    name: "vpo_db_query_duration_seconds",
    help: "Database query time by query name: named reads (summary, runSearch, …) and statements on the server's connection (select runs_in_flight, …)",
    labelNames: ["query"],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const feedLag = new Histogram({
    name: "vpo_feed_lag_seconds",
    help: "From a run (or purge) entering the run feed to this server delivering it",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const deliveries = new Counter({
    name: "vpo_alert_deliveries_total",
    help: "Attempts to deliver a notification, by channel and result (sent, retrying, failed)",
    labelNames: ["channel", "result"],
    registers: [registry],
  });
  const started = new WeakMap<object, { name: string; at: number }>();
  return {
    observeRequest: ({ method, route, status, seconds }) => http.observe({ method, route, status: String(status) }, seconds),
    countDelivery: ({ channel, result }) => deliveries.inc({ channel, result }),
    timedReader(reader) {
      const timed: Reader = {
        read(op, args) {
          const end = queries.startTimer({ query: op });
          const result = reader.read(op, args);
          void result.then(() => end(), () => end());
          return result;
        },
        close: () => reader.close(),
      };
      return timed;
    },
    timedFeed(feed) {
      return {
        ...feed,
        async read(cursor) {
          const result = await feed.read(cursor);
          const now = Date.now();
          for (const entry of result.entries as { at?: string }[]) if (entry.at) feedLag.observe(Math.max(0, (now - Date.parse(entry.at)) / 1000));
          return result;
        },
      };
    },
    queryTimer: {
      transformQuery({ node, queryId }: PluginTransformQueryArgs) {
        started.set(queryId, { name: queryName(node), at: performance.now() });
        return node;
      },
      async transformResult({ result, queryId }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
        const s = started.get(queryId);
        if (s) queries.observe({ query: s.name }, (performance.now() - s.at) / 1000);
        return result;
      },
    },
  };
}
