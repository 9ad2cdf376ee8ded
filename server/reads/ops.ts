import {
  type BreakdownBy, getBreakdown, type Db, type FeedCursor, feedHead, getCodecDistribution, getFileHistory, getJob, getMetricAggregates, getPolicy, getPolicyStats,
  getPolicyTotals, getRecentRuns, getRunDetail, getSummary, getTrends, type JobStatus, type JobType, listJobs, type MetricFilter,
  type PolicyStatsOptions, readFeed, type RecentRunsOptions, runEvents, type RunSearchOptions, searchRuns, type StatsFilter, type TrendsOptions, VpoError, type FeedReader,
  getQueueStatus, listInProgress, listNodes, VPO_QUEUE,
} from "../../core/mod.ts";

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
  fileHistory: async (db: Db, a: { fileId: number; limit?: number }) => {
    const runs = await getFileHistory(db, { fileId: a.fileId, limit: a.limit });
    if (runs.length === 0) {
      const file = await db.selectFrom("files").select("id").where("id", "=", a.fileId).executeTakeFirst();
      if (!file) throw new VpoError("NOT_FOUND", `No file with id ${a.fileId}`);
    }
    return runs;
  },
  jobs: (db: Db, a: { status?: JobStatus; type?: JobType; since?: string; limit?: number }) => listJobs(db, a),
  job: (db: Db, a: { id: string }) => getJob(db, a.id),
  policyTotals: (db: Db, _a: Record<string, never>) => getPolicyTotals(db),
  feedHead: (db: Db, _a: Record<string, never>) => feedHead(db),
  readFeed: (db: Db, a: { cursor: FeedCursor }) => readFeed(db, a.cursor),
  runEvents: (db: Db, a: { ids: string[] }) => runEvents(db, a.ids),
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

/** Reads on the given connection, on the calling thread. */
export function createInlineReader(db: Db): Reader {
  return {
    read: (op, args) => (READ_OPS[op] as (db: Db, a: unknown) => Promise<never>)(db, args),
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
