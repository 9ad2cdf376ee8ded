/**
 * The public surface of the vpo core: plugin contract and registry, capture runner,
 * run record format, stats repository, event bus, errors and time filters.
 * It knows no specific plugin, no ffmpeg, no HTTP and no terminal.
 */
export { definePlugin, HOOK_NAMES } from "./plugin.ts";
export type { ActionReport, Hook, HookName, HookOrder, PhaseReport, PluginMetrics, RunContext, RunFactKey, RunIntent, VpoPlugin } from "./plugin.ts";
export { createRegistry } from "./registry.ts";
export { DEFAULT_PLUGIN_LOAD_TIMEOUT_MS, loadPluginModule, pluginLoadName } from "./plugin_loader.ts";
export { provideModules } from "./plugin_host/_provided_modules.ts";
export type { LoadPluginOptions } from "./plugin_loader.ts";
export type { PluginInfo, PluginRegistry } from "./registry.ts";
export { createCapture, runCapture, DEFAULT_HOOK_TIMEOUT_MS } from "./capture.ts";
export type { ActiveRun, BeginOptions, Capture, CaptureOptions, PhaseTimer, RunOutcome } from "./capture.ts";
export { fieldSchema, MAX_BYTES, MAX_METRIC, MAX_SECONDS, MAX_TEXT, MAX_TRACKS, normalizeRunRecord, RUN_FACT_KEYS, RUN_FIELD_NAMES, RUN_FIELDS, RUN_LIMITS, RunRecordSchema } from "./record/mod.ts";
export type { ActionResult, MetricValue, PhaseResult, PluginError, RunRecord, RunRecordInput } from "./record/mod.ts";
export { countStreams } from "./media.ts";
export type { MediaInfo, MediaStream, ProbeFn, StreamType } from "./media.ts";
export { createEventBus, toRecordedEvent } from "./events.ts";
export type { AlertEventPayload, EventBus, EventName, RunRecordedEvent, VpoEvents } from "./events.ts";
export { VpoError, errorMessage, storageError } from "./errors.ts";
export type { ErrorCode } from "./errors.ts";
export { parseOrThrow, describeIssues } from "./validation.ts";
export { didYouMean } from "./did_you_mean.ts";
export { parseClosedRange, parseTimeBound, parseTimeRange, ACCEPTED_TIME_FORMS } from "./time_filter.ts";
export type { TimeRange } from "./time_filter.ts";
export { dataDir, defaultDatabasePath } from "./paths.ts";
export { openDatabase, type Db, type OpenedDatabase } from "./db/open.ts";
export { LATEST_SCHEMA_VERSION } from "./db/migrations/mod.ts";
export { parseDatabaseLocation, redact } from "./db/location.ts";
export { exactInteger, toJson } from "./json.ts";
export * from "./repository/mod.ts";
export { deleteFiles, getFileByPath, knownFilesUnder, listFiles, markFilesMissing, renameFile, saveScannedFiles } from "./repository/files.ts";
export type { FileEntry, KnownFile, ScannedFile, ScanStatus } from "./repository/files.ts";
export {
  claimInFlight, deleteInFlight, findInFlightByKey, insertInFlight, isRunStored, listInFlight, noteInFlightProgress, settleInFlight, updateInFlight,
} from "./repository/in_flight.ts";
export type { InFlightMarker, RunProgress } from "./repository/in_flight.ts";
export * from "./config/mod.ts";
export { fullHash, partialHash, PARTIAL_WINDOW_BYTES } from "./content_hash.ts";
export { fileStateKey, stateMemo } from "./file_state.ts";
export { directFeedReader, followRunFeed, type FeedReader, type RunFeedFollower } from "./run_feed.ts";
export type { DatabaseHandle, DialectCapabilities } from "./db/handle.ts";
export { isAlive } from "./process_alive.ts";
export { trace } from "./trace.ts";
export { toOpenApiSchema } from "./json_schema.ts";
export { libraryOf, nodeIdentity, pathInLibrary, registerNode, type LibraryPath, type NodeIdentity } from "./node.ts";
export {
  COMPOSITION_DIMENSIONS, createCompositionCounter, fileValues, hdrOf, RESOLUTION_BUCKETS, resolutionBucket,
  type CompositionCount, type CompositionDimension, type ResolutionBucket,
} from "./library_composition.ts";
export {
  activeSilences, addSilence, alertHistory, alertStates, applyAlertChange, deliveryCounts, dueDeliveries, eventsSince, finishAttempt, getDelivery, leaseDelivery,
  pruneAlertHistory, queueDeliveries, recordEvent,
  type AlertChange, type AlertDelivery, type AlertEvent, type AlertHistoryEntry, type AlertState, type NewAlertEvent, type NewDelivery,
} from "./repository/alerts.ts";
export {
  failedRunGroups, LABEL_COLUMNS, latestRunAt, phaseTotals, runCountGroups,
  type AlertLabel, type FailedRun, type LabelFilter, type LabelValues, type PhaseTotals, type RunCounts, type WindowQuery,
} from "./repository/alert_inputs.ts";
export {
  insertLogRecords, LOG_STORE_LEVELS, LogEntrySchema, logSeverity, pruneLogs, queryLogs,
  type LogEntry, type LogQuery, type LogStoreLevel, type NewLogRecord,
} from "./repository/logs.ts";
