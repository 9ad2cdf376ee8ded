// Space saved per period, drawn with uPlot (served from the project's node_modules).
import uPlot from "/vendor/uplot.js";
import { bytes, count } from "./format.js";

/** "2026-01-31" / "2026-W05" / "2026-01" → Unix seconds of the period's start (UTC). */
export function periodStart(period) {
  const week = /^(\d{4})-W(\d{2})$/.exec(period);
  if (week) {
    // ISO week 1 holds January 4th; weeks start on Monday.
    const jan4 = Date.UTC(Number(week[1]), 0, 4);
    const monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * 86_400_000;
    return (monday + (Number(week[2]) - 1) * 7 * 86_400_000) / 1000;
  }
  return Date.parse(period.length === 7 ? `${period}-01T00:00:00Z` : `${period}T00:00:00Z`) / 1000;
}

let plot;

/** Draws (or redraws) the chart of TrendPoints into `container`; returns a one-line text summary. */
export function renderTrend(container, points, groupBy) {
  const xs = points.map((p) => periodStart(p.period));
  const saved = points.map((p) => p.size_saved);
  const files = points.map((p) => p.files_processed);
  plot?.destroy();
  container.replaceChildren();
  const width = Math.max(280, container.clientWidth || 600);
  const bars = uPlot.paths.bars({ size: [0.6, 40] });
  plot = new uPlot(
    {
      width,
      height: 240,
      scales: { x: { time: true }, files: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      legend: { live: true },
      series: [
        { label: groupBy === "day" ? "Day" : groupBy === "week" ? "Week" : "Month" },
        { label: "Saved", stroke: "#2f7d4f", fill: "rgba(47,125,79,0.35)", paths: bars, points: { show: false }, value: (_u, v) => (v === null ? "–" : bytes(v)) },
        { label: "Files", scale: "files", stroke: "#3557a8", width: 2, value: (_u, v) => (v === null ? "–" : count(v)) },
      ],
      axes: [
        {},
        { values: (_u, ticks) => ticks.map((t) => bytes(t)), size: 70 },
        { scale: "files", side: 1, grid: { show: false }, values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? count(t) : "")) },
      ],
    },
    [xs, saved, files],
    container,
  );
  const total = saved.reduce((a, b) => a + b, 0);
  return points.length ? `${bytes(total)} saved over ${points.length} ${groupBy}${points.length === 1 ? "" : "s"} with runs` : "No runs in this range";
}

/** Keeps the chart as wide as its container. */
export function resizeTrend(container) {
  plot?.setSize({ width: Math.max(280, container.clientWidth), height: 240 });
}
