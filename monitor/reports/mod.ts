/**
 * Reports: build (totals, comparisons, breakdowns, failures, time, regressions, daily series),
 * render (PDF, HTML, Markdown, JSON), schedule and deliver.
 */
export { buildReport, type ReportData } from "./build.ts";
export { compareSummaries, ComparedFieldSchema, comparisonWindows, compareWindows, QUERY_WINDOW_NAMES, type ComparedField, type Comparison } from "./compare.ts";
export { customWindow, lastCompletePeriod, PERIODS, previousWindow, type Period, type Window } from "./period.ts";
export { CONTENT_TYPES, REPORT_FORMATS, renderReport, type RenderedReport, type ReportFormat } from "./render.ts";
export { createReportScheduler, lastFire, type Clock, type MadeReport, type ReportSchedule, type ReportScheduler, type SchedulerOptions } from "./schedule.ts";
export { deliverReport, type DeliverableReport, type Delivery, type DeliveryQueue } from "./deliver.ts";
