import * as v from "valibot";
import { type Db, getPerfSamples, type StatsFilter } from "../../core/mod.ts";
import { type ChangePointOptions, changePoints } from "./edivisive.ts";
import { buildSeries, PERF_METRICS, type PerfMetric, type PerfSeries } from "./series.ts";

/**
 * Defaults measured on seeded synthetic series (bench/regressions_bench.ts, README): a 20 % step
 * in 10 % noise is found within 10 runs of where it happened, and stationary series of 1,000 runs
 * give no false change point.
 */
export const DETECTOR_DEFAULTS = { windowLen: 50, maxPValue: 1e-5, minMagnitude: 0.05, minSegment: 5 } as const satisfies ChangePointOptions;

/** Fewest points a series needs before it is analysed. */
export const MIN_SERIES_POINTS = 10;

const runRef = v.object({ stats_id: v.string(), processed_at: v.string(), value: v.number() });

/** One change in a performance series. */
export const PerformanceChangeSchema = v.object({
  policy: v.string(),
  phase: v.string(),
  encoder: v.pipe(v.string(), v.description('"hevc/software", "h264/hardware" …, or "copy" when no video was transcoded')),
  resolution: v.pipe(v.string(), v.description("SD, 720p, 1080p, 2160p or unknown")),
  metric: v.picklist(Object.keys(PERF_METRICS) as [PerfMetric, ...PerfMetric[]]),
  direction: v.picklist(["regression", "improvement"]),
  change_percent: v.pipe(v.number(), v.description("mean after / mean before − 1, in %")),
  at: v.pipe(v.string(), v.description("processed_at of the first run after the change")),
  mean_before: v.number(),
  mean_after: v.number(),
  pvalue: v.number(),
  runs_before: v.pipe(v.number(), v.description("Points in the segment before the change")),
  runs_after: v.number(),
  run_before: v.pipe(runRef, v.description("The last run before the change")),
  run_after: v.pipe(runRef, v.description("The first run after it")),
});
export interface PerformanceChange extends v.InferOutput<typeof PerformanceChangeSchema> {}

export interface DetectOptions extends StatsFilter {
  /** Report improvements too (default: regressions only). */
  improvements?: boolean;
  detector?: ChangePointOptions;
}

/** The changes of one series, oldest first. */
export function seriesChanges(series: PerfSeries, detector: ChangePointOptions = DETECTOR_DEFAULTS): PerformanceChange[] {
  if (series.points.length < MIN_SERIES_POINTS) return [];
  const points = changePoints(series.points.map((p) => p.value), { ...DETECTOR_DEFAULTS, ...detector });
  const worse = PERF_METRICS[series.metric].worse;
  return points.map((cp, i) => {
    const up = cp.meanAfter > cp.meanBefore;
    const previous = i === 0 ? 0 : points[i - 1]!.index;
    const next = i + 1 < points.length ? points[i + 1]!.index : series.points.length;
    return {
      ...series.key,
      metric: series.metric,
      direction: up === (worse === "up") ? "regression" : "improvement",
      change_percent: Math.round(cp.forwardChange * 10_000) / 100,
      at: series.points[cp.index]!.processed_at,
      mean_before: cp.meanBefore,
      mean_after: cp.meanAfter,
      pvalue: cp.pvalue,
      runs_before: cp.index - previous,
      runs_after: next - cp.index,
      run_before: series.points[cp.index - 1]!,
      run_after: series.points[cp.index]!,
    };
  });
}

/**
 * Performance changes over the runs in the window (and scope): every series of (policy, phase,
 * video encoder, resolution) × (seconds per GB, encoding fps), analysed by E-divisive means with
 * a Student's t-test. Newest change first. The hook the alert rules call, and what `vpo stats
 * regressions`, `/api/stats/regressions` and reports show.
 *
 * @example const found = await detectRegressions(db, { since: "2026-01-01T00:00:00.000Z", policy: "hevc" });
 */
export async function detectRegressions(db: Db, options: DetectOptions = {}): Promise<PerformanceChange[]> {
  const { improvements, detector, ...filter } = options;
  const changes = buildSeries(await getPerfSamples(db, filter)).flatMap((s) => seriesChanges(s, detector));
  return changes
    .filter((c) => improvements || c.direction === "regression")
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0) || a.policy.localeCompare(b.policy) || a.metric.localeCompare(b.metric));
}
