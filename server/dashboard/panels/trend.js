// Bytes saved and files processed per period, over exactly the selected range.
import { byteScale, countScale, drawPlot, spanBars, spanScale, valueAxis } from "../chart.js";
import { bytes, count, el } from "../format.js";
import { loadTrend, periodX } from "../trend_data.js";
import { panelHeading } from "../ui.js";

const PERIOD_NAME = { day: "Day", week: "Week", month: "Month" };

export default {
  id: "trend",
  mount(root) {
    this.note = panelHeading(root, "Space saved over time");
    this.note.dataset.trendLabel = "";
    this.chart = el("div", { id: "trend-chart", class: "plot", role: "img", "aria-label": "Bytes saved and files processed per period" });
    this.caption = el("figcaption", { id: "trend-caption" });
    root.append(el("figure", { class: "chart" }, this.chart, this.caption));
  },
  load: (view) => loadTrend(view),
  render(_root, { span, groupBy, periods, points }) {
    this.note.textContent = `(per ${groupBy})`;
    const saved = periods.map((p) => (p.point ? p.point.size_saved : 0));
    const files = periods.map((p) => (p.point ? p.point.files_processed : 0));
    const y = byteScale(saved);
    const n = countScale(files);
    drawPlot(this.chart, {
      scales: { x: spanScale(span), bytes: { range: () => y.range }, files: { range: () => n.range } },
      legend: { live: true },
      series: [
        { label: PERIOD_NAME[groupBy], value: (_u, v, _s, i) => (i === null || v === null ? "–" : periods[i]?.key ?? "–") },
        { label: "Saved", scale: "bytes", stroke: "#2f7d4f", fill: "rgba(47,125,79,0.45)", width: 0, paths: spanBars(periods.map((p) => p.shownStart), periods.map((p) => p.shownEnd)), points: { show: false }, value: (_u, v) => (v === null ? "–" : bytes(v)) },
        { label: "Files", scale: "files", stroke: "#3557a8", width: 2, points: { show: periods.length <= 60 }, value: (_u, v) => (v === null ? "–" : count(v)) },
      ],
      axes: [{}, valueAxis("bytes", y), valueAxis("files", n, { side: 1, grid: { show: false } })],
    }, [periods.map(periodX), saved, files]);
    const total = points.reduce((a, p) => a + p.size_saved, 0);
    this.caption.textContent = points.length ? `${bytes(total)} saved over ${points.length} ${groupBy}${points.length === 1 ? "" : "s"} with runs` : "No runs in this range";
  },
};
