import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { DURATION_BUCKETS, type RunTotals } from "./reads/metric_queries.ts";

type Base = { buckets: number[]; sum: number; count: number };
type MetricData = {
  values: { labels: Record<string, string | number>; sharedLabels?: Record<string, string | number>; value: number; metricName?: string }[];
};

/**
 * A histogram that can start from counts read out of the database: observations made since
 * start are added to a per-policy baseline (cumulative bucket counts, sum, count) when scraped,
 * so a restart does not reset run durations to zero.
 */
class BaselineHistogram extends Histogram<"policy"> {
  private baseline = new Map<string, Base>();

  setBaseline(policy: string, base: Base): void {
    this.baseline.set(policy, base);
    this.zero({ policy });
  }

  clearBaseline(): void {
    this.baseline.clear();
    this.reset();
  }

  constructor(config: ConstructorParameters<typeof Histogram<"policy">>[0]) {
    super(config);
    // The registry renders histograms through getForPromString (untyped; get() calls it too).
    const self = this as unknown as { getForPromString(): Promise<MetricData> };
    const original = self.getForPromString.bind(this);
    self.getForPromString = async () => this.addBaseline(await original());
  }

  private addBaseline(metric: MetricData): MetricData {
    for (const value of metric.values) {
      // Bucket entries carry `le` in labels and the metric's own labels in sharedLabels.
      const base = this.baseline.get(String(value.sharedLabels?.policy ?? value.labels.policy));
      if (!base) continue;
      const name = value.metricName ?? "";
      if (name.endsWith("_bucket")) {
        const le = value.labels.le;
        const index = DURATION_BUCKETS.indexOf(Number(le) as (typeof DURATION_BUCKETS)[number]);
        value.value += le === "+Inf" ? base.count : index >= 0 ? base.buckets[index]! : 0;
      } else if (name.endsWith("_sum")) value.value += base.sum;
      else if (name.endsWith("_count")) value.value += base.count;
    }
    return metric;
  }
}

/** The Prometheus view of the run record, plus process metrics; see README "Metrics". */
export interface RunMetrics {
  readonly registry: Registry;
  /** Replaces every run metric with totals counted from the database. */
  setBaseline(totals: RunTotals[]): void;
  /** Adds one newly stored run. */
  addRun(run: RunTotals): void;
  render(): Promise<string>;
  readonly contentType: string;
}

/** Creates the registry; `gauges` adds server-state gauges read at scrape time. */
export function createRunMetrics(gauges: Record<string, { help: string; read: () => number }> = {}): RunMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "vpo_" });
  const registers = [registry];
  const runs = new Counter({ name: "vpo_runs_total", help: "Runs recorded, by policy and status (success, failed, interrupted)", labelNames: ["policy", "status"], registers });
  const before = new Counter({ name: "vpo_size_before_bytes_total", help: "Input bytes of runs with both sizes known", labelNames: ["policy"], registers });
  const after = new Counter({ name: "vpo_size_after_bytes_total", help: "Output bytes of runs with both sizes known", labelNames: ["policy"], registers });
  const saved = new Map<string, number>();
  new Gauge({
    name: "vpo_saved_bytes",
    help: "Bytes saved (before − after) over runs with both sizes known; negative when files grew",
    labelNames: ["policy"],
    registers,
    collect() {
      for (const [policy, bytes] of saved) this.set({ policy }, bytes);
    },
  });
  const tracks = new Counter({ name: "vpo_tracks_removed_total", help: "Tracks removed, by type (audio, subtitle, attachment)", labelNames: ["policy", "type"], registers });
  const videos = new Counter({ name: "vpo_videos_total", help: "Video streams by outcome: transcoded or skipped", labelNames: ["policy", "outcome"], registers });
  const audio = new Counter({ name: "vpo_audio_tracks_transcoded_total", help: "Audio tracks transcoded", labelNames: ["policy"], registers });
  const duration = new BaselineHistogram({ name: "vpo_run_duration_seconds", help: "Wall time of runs that reported one", labelNames: ["policy"], buckets: [...DURATION_BUCKETS], registers });
  for (const [name, gauge] of Object.entries(gauges)) {
    new Gauge({ name, help: gauge.help, registers, collect() { this.set(gauge.read()); } });
  }

  const count = (t: RunTotals) => {
    const policy = t.policy;
    runs.inc({ policy, status: t.status }, t.runs);
    before.inc({ policy }, t.size_before);
    after.inc({ policy }, t.size_after);
    saved.set(policy, (saved.get(policy) ?? 0) + t.size_before - t.size_after);
    tracks.inc({ policy, type: "audio" }, t.audio_removed);
    tracks.inc({ policy, type: "subtitle" }, t.subtitles_removed);
    tracks.inc({ policy, type: "attachment" }, t.attachments_removed);
    videos.inc({ policy, outcome: "transcoded" }, t.videos_transcoded);
    videos.inc({ policy, outcome: "skipped" }, t.videos_skipped);
    audio.inc({ policy }, t.audio_transcoded);
  };

  return {
    registry,
    setBaseline(totals) {
      for (const metric of [runs, before, after, tracks, videos, audio]) metric.reset();
      saved.clear();
      duration.clearBaseline();
      const bases = new Map<string, Base>();
      for (const t of totals) {
        count(t);
        const base = bases.get(t.policy) ?? { buckets: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 };
        t.duration_buckets.forEach((n, i) => (base.buckets[i]! += n));
        base.sum += t.duration_sum;
        base.count += t.duration_count;
        bases.set(t.policy, base);
      }
      for (const [policy, base] of bases) duration.setBaseline(policy, base);
    },
    addRun(run) {
      count(run);
      if (run.duration_count > 0) duration.observe({ policy: run.policy }, run.duration_sum);
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
