import {
  type BreakdownRow, type CodecShare, type Db, type FailureGroup, getBreakdown, getCodecDistribution, getFailures, getPhaseTimes, getPolicyStats, getSummary,
  getTrends, type PhaseTime, type PolicyStats, retentionHorizon, type RunScope, type SlowPhase, type StatsSummary, windowWidenedBy,
} from "../../core/mod.ts";
import { detectRegressions, type PerformanceChange } from "../regressions/mod.ts";
import { type ComparedField, compareSummaries } from "./compare.ts";
import { type Period, previousWindow, type Window } from "./period.ts";

/** Everything a report shows, as data: every renderer (PDF, HTML, Markdown, JSON) draws from this. */
export interface ReportData {
  title: string;
  window: Window;
  period: Period | "custom";
  scope: RunScope;
  generated_at: string;
  /** What a reader must know about the numbers (a window widened by retention, …). */
  notes: string[];
  summary: StatsSummary;
  previous: { window: Window; summary: StatsSummary };
  comparison: ComparedField[];
  policies: PolicyStats[];
  libraries: BreakdownRow[];
  nodes: BreakdownRow[];
  codecs: CodecShare[];
  failures: FailureGroup[];
  phases: PhaseTime[];
  slowest: SlowPhase[];
  regressions: PerformanceChange[];
  /** Every UTC day of the window, days without runs as 0. */
  daily: { day: string; files: number; saved: number | bigint; cumulative: number | bigint }[];
}

/** How far back the performance analysis looks before the window, so a change early in it has history to stand out from. */
const REGRESSION_LOOKBACK_DAYS = 90;
const DAY = 86_400_000;

const addBytes = (a: number | bigint, b: number | bigint): number | bigint => {
  const sum = BigInt(a) + BigInt(b);
  return sum >= BigInt(Number.MIN_SAFE_INTEGER) && sum <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(sum) : sum;
};

/**
 * Builds a report over `window` (and scope): totals compared with the period before, per policy,
 * library and node, codecs before and after, failures by reason, where the time went, the
 * performance regressions that started in the window, and daily series for the charts. Totals come
 * from the same repository views as `vpo stats summary`, so they are equal by construction.
 *
 * @example const data = await buildReport(db, { window: lastCompletePeriod("week", new Date()), period: "week" });
 */
export async function buildReport(
  db: Db,
  options: { window: Window; period?: Period | "custom"; scope?: RunScope; now?: Date; title?: string },
): Promise<ReportData> {
  const { window } = options;
  const scope = options.scope ?? {};
  const period = options.period ?? "custom";
  const filter = { since: window.since, until: window.until, ...scope };
  const previous = previousWindow(window, period === "custom" ? undefined : period);
  const [summary, previousSummary] = [await getSummary(db, filter), await getSummary(db, { since: previous.since, until: previous.until, ...scope })];
  const notes: string[] = [];
  const horizon = await retentionHorizon(db);
  for (const [name, w] of [["This period", window], ["The period before", previous]] as const) {
    const widened = windowWidenedBy(w, horizon);
    if (widened) notes.push(`${name} reaches before ${horizon!.slice(0, 10)}, whose runs were removed by retention: its totals count whole days there.`);
  }
  const trends = await getTrends(db, { ...filter, groupBy: "day" });
  const byDay = new Map(trends.map((t) => [t.period, t]));
  const daily: ReportData["daily"] = [];
  let cumulative: number | bigint = 0;
  for (let t = Date.parse(window.since); t < Date.parse(window.until); t += DAY) {
    const day = new Date(t).toISOString().slice(0, 10);
    const point = byDay.get(day);
    const saved = point?.size_saved ?? 0;
    cumulative = addBytes(cumulative, saved);
    daily.push({ day, files: point?.files_processed ?? 0, saved, cumulative });
  }
  const { phases, slowest } = await getPhaseTimes(db, filter, 10);
  const lookback = new Date(Date.parse(window.since) - REGRESSION_LOOKBACK_DAYS * DAY).toISOString();
  const regressions = (await detectRegressions(db, { since: lookback, until: window.until, ...scope })).filter((c) => c.at >= window.since);
  return {
    title: options.title ?? `vpo report: ${window.label}`,
    window,
    period,
    scope,
    generated_at: (options.now ?? new Date()).toISOString(),
    notes,
    summary,
    previous: { window: previous, summary: previousSummary },
    comparison: compareSummaries(summary, previousSummary),
    policies: await getPolicyStats(db, filter),
    libraries: await getBreakdown(db, "library", filter),
    nodes: await getBreakdown(db, "node", filter),
    codecs: await getCodecDistribution(db, filter),
    failures: await getFailures(db, filter, { topFiles: 3, limit: 10 }),
    phases,
    slowest,
    regressions,
    daily,
  };
}
