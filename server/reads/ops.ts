import { sql } from "kysely";
import { dialectOf } from "../../core/db/handle.ts";
import {
  alertHistory, type Config, type LogQuery, queryLogs,
  getReport, listReports, type RunScope,
  type BreakdownBy, getBreakdown, type Db, type FeedCursor, feedHead, getCodecDistribution, getFileHistory, getJob, getMetricAggregates, getPolicy, getPolicyStats,
  getPolicyTotals, getRecentRuns, getRunDetail, getSummary, getTrends, type JobStatus, type JobType, listJobs, type MetricFilter,
  type PolicyStatsOptions, readFeed, type RecentRunsOptions, runEvents, type RunSearchOptions, searchRuns, type StatsFilter, type TrendsOptions, VpoError, type FeedReader,
  getQueueStatus, listInProgress, listNodes, VPO_QUEUE,
} from "../../core/mod.ts";
import { alertOverview } from "../../monitor/overview.ts";

import { getLibraryComposition } from "../../monitor/library/mod.ts";
import { detectRegressions, type DetectOptions } from "../../monitor/regressions/detect.ts";
import { compareWindows } from "../../monitor/reports/compare.ts";
import type { Window } from "../../monitor/reports/period.ts";

/**
 * Every read the server makes, by name, with structured-clone-safe arguments and results, so the
 * same table runs inline (tests, :memory:, PostgreSQL's pool) or in a SQLite read worker thread.
 */
export const READ_OPS = {
  summary: (db: Db, a: StatsFilter) => getSummary(db, a),
  recent: (db: Db, a: RecentRunsOptions) => getRecentRuns(db, a),
  policies: (db: Db, a: PolicyStatsOptions) => getPolicyStats(db, a),
  policy: (db: Db, a: { name: string } & StatsFilter) => getPolicy(db, a.name, { since: a.since, until: a.until, library: a.library, node: a.node }),
  trends: (db: Db, a: TrendsOptions) => getTrends(db, a),
  metrics: (db: Db, a: MetricFilter) => getMetricAggregates(db, a),
  codecs: (db: Db, a: StatsFilter) => getCodecDistribution(db, a),
  breakdown: (db: Db, a: { by: BreakdownBy } & StatsFilter) => getBreakdown(db, a.by, a),
  runDetail: (db: Db, a: { id: string }) => getRunDetail(db, a.id),
  runSearch: (db: Db, a: RunSearchOptions) => searchRuns(db, a),
  fileHistory: (db: Db, a: { fileId: number; limit?: number }) => getFileHistory(db, { fileId: a.fileId, limit: a.limit }),
  jobs: (db: Db, a: { status?: JobStatus; type?: JobType; since?: string; limit?: number }) => listJobs(db, a),
  job: (db: Db, a: { id: string }) => getJob(db, a.id),
  policyTotals: (db: Db, _a: Record<string, never>) => getPolicyTotals(db),
  feedHead: (db: Db, _a: Record<string, never>) => feedHead(db),
  readFeed: (db: Db, a: { cursor: FeedCursor }) => readFeed(db, a.cursor),
  runEvents: (db: Db, a: { ids: string[] }) => runEvents(db, a.ids),
  alertOverview: (db: Db, a: { config: Config; now: string }) => alertOverview(db, a.config, new Date(a.now)),
  alertHistory: (db: Db, a: { since?: string; rule?: string; limit?: number }) => alertHistory(db, a),
  logs: (db: Db, a: LogQuery) => queryLogs(db, a),
  compare: (db: Db, a: { current: Window; baseline: Window; scope: RunScope }) => compareWindows(db, a, a.scope),
  regressions: (db: Db, a: DetectOptions) => detectRegressions(db, a),
  library: (db: Db, a: { library?: string; trend?: boolean; since?: string; until?: string }) => getLibraryComposition(db, a),
  reports: (db: Db, a: { limit?: number; schedule?: string }) => listReports(db, a),
  report: (db: Db, a: { id: string }) => getReport(db, a.id),
  queue: (db: Db, a: { node?: string; library?: string }) => getQueueStatus(db, VPO_QUEUE, a),
  inProgress: (db: Db, a: { node?: string; library?: string }) => listInProgress(db, a),
  nodes: (db: Db, a: StatsFilter) => listNodes(db, a),
} as const;

export type ReadOps = typeof READ_OPS;
export type ReadOp = keyof ReadOps;
export type ReadArgs<K extends ReadOp> = Parameters<ReadOps[K]>[1];
export type ReadResult<K extends ReadOp> = Awaited<ReturnType<ReadOps[K]>>;

/** Runs reads by name; implementations: inline on the main connection, or a worker pool. */
export interface Reader {
  read<K extends ReadOp>(op: K, args: ReadArgs<K>): Promise<ReadResult<K>>;
  close(): Promise<void>;
}

/** The reads that may scan runs (a path search, a file's history): they get a lane of their own. */
const SLOW_OPS: ReadonlySet<ReadOp> = new Set(["runSearch", "fileHistory"]);
export const laneOf = (op: ReadOp): "fast" | "slow" => (SLOW_OPS.has(op) ? "slow" : "fast");

/** Longest a read may take before it is answered 503 (well inside the server's 30 s idle timeout). */
export const DEFAULT_READ_BUDGET_MS = 10_000;

/** The server's own reads (following the feed, /metrics): no client waits on them, so they get longer. */
const INTERNAL_OPS: ReadonlySet<ReadOp> = new Set(["feedHead", "readFeed", "runEvents", "policyTotals"]);
export const budgetOf = (op: ReadOp, viewBudgetMs: number): number => (INTERNAL_OPS.has(op) ? Math.max(viewBudgetMs, 60_000) : viewBudgetMs);

export const budgetError = (op: string, ms: number) =>
  new VpoError("QUERY_TIMEOUT", `The ${op} query took longer than ${ms / 1000} s and was stopped; narrow it (a shorter window, a policy) or try again`);

/**
 * Reads on the given connection, on the calling thread (PostgreSQL's asynchronous pool, tests,
 * :memory:). A read past its budget is answered QUERY_TIMEOUT; PostgreSQL cancels the statement
 * itself through its statement_timeout.
 */
export function createInlineReader(db: Db, options: { budgetMs?: number } = {}): Reader {
  const budgetMs = options.budgetMs ?? DEFAULT_READ_BUDGET_MS;
  const postgres = dialectOf(db) === "postgres";
  return {
    read: (op, args) => {
      const ms = budgetOf(op, budgetMs);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const overtime = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(budgetError(op, ms)), ms);
      });
      const run = (on: Db) => (READ_OPS[op] as (db: Db, a: unknown) => Promise<never>)(on, args);
      // PostgreSQL stops the statement itself at the budget, so a runaway query costs nothing after.
      const read = postgres
        ? db.transaction().execute(async (trx) => {
            await sql`select set_config('statement_timeout', ${String(ms)}, true)`.execute(trx);
            return run(trx);
          })
        : run(db);
      return Promise.race([read, overtime]).finally(() => clearTimeout(timer));
    },
    close: async () => {},
  };
}

/** The run feed read through a Reader (a worker on SQLite), for followRunFeed. */
export function feedReaderOf(reader: Reader): FeedReader {
  return {
    head: () => reader.read("feedHead", {}),
    read: (cursor) => reader.read("readFeed", { cursor }),
    events: (ids) => reader.read("runEvents", { ids }),
  };
}
