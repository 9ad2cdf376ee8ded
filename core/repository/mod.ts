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
export { resolveRunId, MIN_PREFIX_LENGTH, shortRunIds } from "./run_id.ts";
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
export { IMPORT_BATCH_SIZE, importRunLines, MAX_REPORTED_ERRORS, parseRunLine, readLines, type ImportLineError, type ImportOptions, type ImportProgress, type ImportReport } from "./import.ts";
export { CodecShareSchema, getCodecDistribution, type CodecShare } from "./codecs.ts";
export { getPolicyTotals, type PolicyTotals, type Totals } from "./_totals.ts";
export { DURATION_BUCKETS } from "./_rollup.ts";
export { feedHead, readFeed, runEvents, pruneFeed, type FeedCursor, type FeedEntry } from "./feed.ts";
export { createBreather, storeRuns, type RecordOptions, type RecordResult } from "./record.ts";
export type { RunScope } from "./_filters.ts";
export { copyDatabase, type CopyProgress } from "./copy.ts";
export { applyRetention, floorToDay, lastRetentionRun, retentionHorizon, type RetentionCounts, type RetentionCutoffs } from "./retention.ts";
export { windowWidenedBy } from "./_filters.ts";
export { failureReason, getFailures, type FailureGroup } from "./failures.ts";
export { getPhaseTimes, type PhaseTime, type SlowPhase } from "./phases.ts";
export { getPerfSamples, type PerfSample } from "./perf_samples.ts";
export { claimReport, completeReport, countReports, failReport, getReport, listReports, setReportDeliveries, type ReportClaim, type ReportInfo, type StoredReport } from "./reports.ts";
export { getLibrarySnapshots, readableFiles, saveLibrarySnapshot, snapshotLibraries, takeLibrarySnapshot, type CompositionFile, type SnapshotRow } from "./library.ts";
export { backupDatabase, databaseInfo, optimizeDatabase, verifyDatabase, VPO_TABLES, type DatabaseInfo, type MaintenanceTarget, type VerifyResult } from "./maintenance.ts";
