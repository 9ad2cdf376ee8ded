import {
  type Db, getFileHistory, getJob, getMetricAggregates, getPolicy, getPolicyStats, getRecentRuns, getRunDetail,
  getSummary, getTrends, type JobStatus, type JobType, listJobs, type MetricFilter, type PolicyStatsOptions,
  type RecentRunsOptions, type StatsFilter, type TrendsOptions, VpoError,
} from "../../core/mod.ts";
import { getCodecDistribution } from "../../core/mod.ts";
import { rollupRunCount, runsAfterRowid, runTotalsSnapshot } from "./metric_queries.ts";

/**
 * Every read the server makes, by name, with JSON-safe arguments and results, so the same table
 * runs inline (tests, :memory:) or in a worker thread with its own read-only connection.
 */
export const READ_OPS = {
  summary: (db: Db, a: StatsFilter) => getSummary(db, a),
  recent: (db: Db, a: RecentRunsOptions) => getRecentRuns(db, a),
  policies: (db: Db, a: PolicyStatsOptions) => getPolicyStats(db, a),
  policy: (db: Db, a: { name: string; since?: string; until?: string }) => getPolicy(db, a.name, { since: a.since, until: a.until }),
  trends: (db: Db, a: TrendsOptions) => getTrends(db, a),
  metrics: (db: Db, a: MetricFilter) => getMetricAggregates(db, a),
  codecs: (db: Db, a: StatsFilter) => getCodecDistribution(db, a),
  runDetail: (db: Db, a: { id: string }) => getRunDetail(db, a.id),
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
  runTotalsSnapshot: (db: Db, _a: Record<string, never>) => runTotalsSnapshot(db),
  runsAfterRowid: (db: Db, a: { afterRowid: number }) => runsAfterRowid(db, a.afterRowid),
  runCount: (db: Db, _a: Record<string, never>) => rollupRunCount(db),
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
