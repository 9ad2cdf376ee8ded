/**
 * Performance regression detection: per-phase seconds per GB and encoding fps, per (policy,
 * phase, video encoder, resolution), change points by E-divisive means with a Student's t-test.
 */
export { DETECTOR_DEFAULTS, detectRegressions, MIN_SERIES_POINTS, PerformanceChangeSchema, seriesChanges, type DetectOptions, type PerformanceChange } from "./detect.ts";
export { changePoints, type ChangePoint, type ChangePointOptions } from "./edivisive.ts";
export { buildSeries, encoderOf, PERF_METRICS, type PerfMetric, type PerfSeries, type SeriesKey } from "./series.ts";
export { gaussian, seededRandom, syntheticSeries } from "./synthetic.ts";
