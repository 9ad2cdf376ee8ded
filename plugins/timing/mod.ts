/**
 * timing: how long the run took (→ duration_seconds) and where the time went, from the
 * phases and actions the engine reported.
 *
 * duration_seconds is the wall time from the end of the beforeRun hooks to the start of the
 * afterRun hooks, measured with performance.now(): the processing itself, not the time other
 * plugins spend hashing or probing. That is why this plugin's beforeRun runs "post" and its
 * afterRun "pre".
 *
 * Metrics: phase_count; phases_wall_time_seconds (sum); action_time_ms (sum of reported action
 * durations, null when none reported one); encoding_fps_avg and encoding_bitrate_avg (bits/s):
 * means over the phases that reported the figure, null when none did; and per phase name
 * `phase.<name>.wall_time_seconds` (phases sharing a name are added up).
 */
import * as v from "valibot";
import { definePlugin, type RunContext, type VpoPlugin } from "../../core/mod.ts";

const seconds = v.pipe(v.number(), v.minValue(0));

/** What the timing plugin returns from afterRun; duration_seconds fills a typed column. */
export const TimingMetricsSchema = v.object({
  duration_seconds: seconds,
  phase_count: v.pipe(v.number(), v.integer(), v.minValue(0)),
  phases_wall_time_seconds: seconds,
  action_time_ms: v.nullable(v.pipe(v.number(), v.minValue(0))),
  encoding_fps_avg: v.nullable(v.pipe(v.number(), v.minValue(0))),
  encoding_bitrate_avg: v.nullable(v.pipe(v.number(), v.minValue(0))),
  phase: v.record(v.string(), v.object({ wall_time_seconds: seconds })),
});
/** Output of the timing plugin. */
export type TimingMetrics = v.InferOutput<typeof TimingMetricsSchema>;

function mean(values: (number | null)[]): number | null {
  const known = values.filter((x): x is number => x !== null);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0) / known.length;
}

/**
 * Creates the timing plugin.
 *
 * @example
 * registry.register(createTimingPlugin());
 * // record.duration_seconds, plugin_metrics.timing["phase.transcode.wall_time_seconds"]
 */
export function createTimingPlugin(): VpoPlugin<TimingMetrics> {
  const started = new WeakMap<RunContext, number>();
  return definePlugin({
    name: "timing",
    version: "1.0.0",
    description: "Run duration, per-phase wall time, action time and encoder throughput",
    metrics: TimingMetricsSchema,
    facts: ["duration_seconds"],
    beforeRun: {
      order: "post",
      handler(run) {
        started.set(run, performance.now());
      },
    },
    afterRun: {
      order: "pre",
      handler(run) {
        const start = started.get(run);
        // Without a start mark (beforeRun did not run), fall back to the runner's start time.
        const duration = start === undefined ? Math.max(0, (Date.now() - run.startedAt.getTime()) / 1000) : (performance.now() - start) / 1000;
        const phase: Record<string, { wall_time_seconds: number }> = {};
        for (const p of run.phases) {
          const entry = (phase[p.name] ??= { wall_time_seconds: 0 });
          entry.wall_time_seconds += p.wallTimeSeconds;
        }
        const actionTimes = run.actions.map((a) => a.durationMs).filter((d): d is number => d !== null);
        return {
          duration_seconds: duration,
          phase_count: run.phases.length,
          phases_wall_time_seconds: run.phases.reduce((sum, p) => sum + p.wallTimeSeconds, 0),
          action_time_ms: actionTimes.length === 0 ? null : actionTimes.reduce((a, b) => a + b, 0),
          encoding_fps_avg: mean(run.phases.map((p) => p.encodingFps)),
          encoding_bitrate_avg: mean(run.phases.map((p) => p.encodingBitrate)),
          phase,
        };
      },
    },
  });
}

/** The timing plugin. */
export default createTimingPlugin();
