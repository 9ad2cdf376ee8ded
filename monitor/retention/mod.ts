/** Retention: runs, details and reports past their periods are deleted; the daily totals stay. */
export { retentionCutoffs, runRetention, runRetentionIfDue, startDailyRetention, type RetentionResult, type RetentionSettings, type RetentionStore } from "./run.ts";
