import { collectDefaultMetrics, Gauge, Registry } from "prom-client";
import { DURATION_BUCKETS, type PolicyTotals } from "../core/mod.ts";

/**
 * The Prometheus view of the run record. Run metrics are read from the rollup at each scrape
 * (one query, shared by every metric of that scrape), so every process and machine writing the
 * database is counted, a restart loses nothing, and no counter has to be kept in step by hand.
 * A purge lowers them: Prometheus treats that as a counter reset. Values are float64 as in
 * Prometheus itself: exact up to 2^53 bytes (8 PiB) per series; JSON and CSV views are exact beyond.
 */
export interface RunMetrics {
  readonly registry: Registry;
  render(): Promise<string>;
  readonly contentType: string;
}

type Sample = { labels: Record<string, string | number | undefined>; value: number; metricName?: string };

/**
 * A metric computed from the latest totals: prom-client calls `get()` on whatever is
 * registered (its public Metric contract), so no private method is replaced.
 */
function rollupMetric(name: string, help: string, type: "counter" | "gauge" | "histogram", samples: (t: PolicyTotals[]) => Sample[], totals: () => Promise<PolicyTotals[]>) {
  return {
    name,
    help,
    type,
    aggregator: "sum",
    async get() {
      return { name, help, type, aggregator: "sum", values: samples(await totals()) };
    },
    reset() {},
  };
}

/**
 * Creates the registry. `readTotals` reads per-policy totals over every run (from the rollup);
 * `gauges` adds server-state gauges read at scrape time.
 */
export function createRunMetrics(
  readTotals: () => Promise<PolicyTotals[]>,
  gauges: Record<string, { help: string; read: () => number }> = {},
  options: { queueDepth?: () => Promise<number | null> } = {},
): RunMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "vpo_" });
  // One read per scrape: the first metric asks, the others share the answer.
  let pending: Promise<PolicyTotals[]> | null = null;
  const totals = () => {
    pending ??= readTotals().finally(() => setTimeout(() => (pending = null), 0));
    return pending;
  };
  const per = (f: (t: PolicyTotals) => Sample[]) => (all: PolicyTotals[]) => all.flatMap(f);
  const metrics = [
    rollupMetric("vpo_runs_total", "Runs recorded, by policy and status (success, failed, interrupted)", "counter", per((t) => [
      { labels: { policy: t.policy, status: "success" }, value: t.totals.successes },
      { labels: { policy: t.policy, status: "failed" }, value: t.totals.failures },
      { labels: { policy: t.policy, status: "interrupted" }, value: t.totals.interruptions },
    ]), totals),
    rollupMetric("vpo_size_before_bytes_total", "Input bytes of successful runs with both sizes known", "counter", per((t) => [{ labels: { policy: t.policy }, value: Number(t.totals.size_before) }]), totals),
    rollupMetric("vpo_size_after_bytes_total", "Output bytes of successful runs with both sizes known", "counter", per((t) => [{ labels: { policy: t.policy }, value: Number(t.totals.size_after) }]), totals),
    rollupMetric("vpo_saved_bytes", "Bytes saved (before − after) by successful runs; negative when files grew", "gauge", per((t) => [{ labels: { policy: t.policy }, value: Number(t.totals.size_before - t.totals.size_after) }]), totals),
    rollupMetric("vpo_tracks_removed_total", "Tracks removed by successful runs, by type (audio, subtitle, attachment)", "counter", per((t) => [
      { labels: { policy: t.policy, type: "audio" }, value: t.totals.audio_removed },
      { labels: { policy: t.policy, type: "subtitle" }, value: t.totals.subtitles_removed },
      { labels: { policy: t.policy, type: "attachment" }, value: t.totals.attachments_removed },
    ]), totals),
    rollupMetric("vpo_videos_total", "Video streams of successful runs by outcome: transcoded or skipped", "counter", per((t) => [
      { labels: { policy: t.policy, outcome: "transcoded" }, value: t.totals.videos_transcoded },
      { labels: { policy: t.policy, outcome: "skipped" }, value: t.totals.videos_skipped },
    ]), totals),
    rollupMetric("vpo_audio_tracks_transcoded_total", "Audio tracks transcoded by successful runs", "counter", per((t) => [{ labels: { policy: t.policy }, value: t.totals.audio_transcoded }]), totals),
    rollupMetric("vpo_run_duration_seconds", "Wall time of runs that reported one", "histogram", per((t) => [
      ...DURATION_BUCKETS.map((le, i) => ({ metricName: "vpo_run_duration_seconds_bucket", labels: { le, policy: t.policy }, value: t.totals.duration_buckets[i]! })),
      { metricName: "vpo_run_duration_seconds_bucket", labels: { le: "+Inf", policy: t.policy }, value: t.totals.duration_count },
      { metricName: "vpo_run_duration_seconds_sum", labels: { policy: t.policy }, value: t.totals.duration_sum },
      { metricName: "vpo_run_duration_seconds_count", labels: { policy: t.policy }, value: t.totals.duration_count },
    ]), totals),
  ];
  for (const metric of metrics) registry.registerMetric(metric as never);
  // Jobs waiting, where the process has a queue: no sample at all where it has none (rather than a false 0).
  const queueDepth = options.queueDepth;
  registry.registerMetric({
    name: "vpo_queue_depth",
    help: "Jobs waiting in the job queue (PostgreSQL; absent where there is none)",
    type: "gauge",
    aggregator: "sum",
    async get() {
      const depth = queueDepth ? await queueDepth().catch(() => null) : null;
      return { name: "vpo_queue_depth", help: "Jobs waiting in the job queue (PostgreSQL; absent where there is none)", type: "gauge", aggregator: "sum", values: depth === null ? [] : [{ labels: {}, value: depth }] };
    },
    reset() {},
  } as never);
  for (const [name, gauge] of Object.entries(gauges)) {
    new Gauge({ name, help: gauge.help, registers: [registry], collect() { this.set(gauge.read()); } });
  }
  // Each scrape reads afresh: a write finished between two scrapes without a turn of the event loop
  // (SQLite answers synchronously) must not leave the previous scrape's read to be shared.
  const render = () => {
    pending = null;
    return registry.metrics();
  };
  return { registry, render, contentType: registry.contentType };
}
