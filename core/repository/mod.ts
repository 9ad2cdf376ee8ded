/**
 * Stats repository: every read and write of run records, shared by the CLI and the server.
 * Time bounds are UTC ISO strings from parseTimeRange: `since` inclusive, `until` exclusive.
 */
export { recordRun, recordRuns } from "./record.ts";
export { closeDeadJobs } from "./jobs.ts";
export { getSummary } from "./summary.ts";
export { getPolicyStats, getPolicy } from "./policies.ts";
export { getBreakdown } from "./breakdown.ts";
export { findProcessedRun } from "./processed.ts";
export { listNodes, NODE_ONLINE_SECONDS, NodeRowSchema, type NodeRow } from "./nodes.ts";
export { InProgressSchema, listInProgress, type InProgress } from "./in_progress.ts";
export {
  countQueueJobs, FailedQueueJobSchema, listFailedQueueJobs, QUEUE_JOB_STATES, QueueCountsSchema,
  VPO_QUEUE, type FailedQueueJob, type QueueCounts, type QueueJobState, type QueueRef,
} from "./queue_jobs.ts";
export { getQueueStatus, QueueStatusSchema, type QueueStatus } from "./queue_status.ts";
export { getTrends, isoWeek } from "./trends.ts";
export { getRecentRuns, getFileHistory, findFile } from "./runs.ts";
export { getRunDetail } from "./run_detail.ts";
export { searchRuns, RUN_SEARCH_DEFAULT_LIMIT, RUN_SEARCH_MAX_LIMIT } from "./run_search.ts";
export { resolveRunId, MIN_PREFIX_LENGTH } from "./run_id.ts";
export { getMetricAggregates } from "./metrics.ts";
export { purgeRuns } from "./purge.ts";
export {
  BreakdownBySchema,
  BreakdownRowSchema,
  FileHistoryOptionsSchema,
  FileProcessingHistorySchema,
  MetricAggregateSchema,
  MetricFilterSchema,
  PolicySortSchema,
  PolicyStatsOptionsSchema,
  PolicyStatsSchema,
  PurgeCountsSchema,
  PurgeOptionsSchema,
  RecentRunSchema,
  RecentRunsOptionsSchema,
  RunActionSchema,
  RunCandidateSchema,
  RunDetailSchema,
  RunPhaseSchema,
  RunListItemSchema,
  RunPageSchema,
  RunPluginErrorSchema,
  RunSearchOptionsSchema,
  RunStatusSchema,
  StatsFilterSchema,
  StatsSummarySchema,
  TrendGroupBySchema,
  TrendPointSchema,
  TrendsOptionsSchema,
} from "./views.ts";
export type {
  BreakdownBy,
  BreakdownRow,
  FileHistoryOptions,
  FileProcessingHistory,
  MetricAggregate,
  MetricFilter,
  PolicySort,
  PolicyStats,
  PolicyStatsOptions,
  PurgeCounts,
  PurgeOptions,
  RecentRun,
  RecentRunsOptions,
  RunAction,
  RunCandidate,
  RunDetail,
  RunPhase,
  RunListItem,
  RunPage,
  RunPluginError,
  RunSearchOptions,
  RunStatus,
  StatsFilter,
  StatsSummary,
  TrendGroupBy,
  TrendPoint,
  TrendsOptions,
} from "./views.ts";
export {
  createJob, getJob, JOB_STATUSES, JOB_TYPES, JobDetailSchema, JobSchema, listJobs, purgeExpiredJobs, purgeJobs, shortJobIds, updateJob,
  type Job, type JobDetail, type JobStatus, type JobType,
} from "./jobs.ts";
export { hasRuns, RUN_RECORD_SCALAR_FIELDS, streamRunRecords } from "./export.ts";
export { importRunLines, MAX_REPORTED_ERRORS, parseRunLine, readLines, type ImportLineError, type ImportOptions, type ImportReport } from "./import.ts";
export { CodecShareSchema, getCodecDistribution, type CodecShare } from "./codecs.ts";
export { getPolicyTotals, type PolicyTotals, type Totals } from "./_totals.ts";
export { DURATION_BUCKETS } from "./_rollup.ts";
export { feedHead, readFeed, runEvents, pruneFeed, type FeedCursor, type FeedEntry } from "./feed.ts";
export { createBreather, storeRuns, storageError, type RecordOptions, type RecordResult } from "./record.ts";
export type { RunScope } from "./_filters.ts";
