// Space saved so far: the running total of bytes saved across the selected range.
import { byteScale, drawPlot, spanScale, valueAxis } from "../chart.js";
import { bytes, el } from "../format.js";
import { loadTrend } from "../trend_data.js";
import { panelHeading } from "../ui.js";

export default {
  id: "cumulative",
  mount(root) {
    panelHeading(root, "Cumulative space saved");
    this.chart = el("div", { id: "cumulative-chart", class: "plot", role: "img", "aria-label": "Total bytes saved since the start of the range" });
    this.caption = el("figcaption", { id: "cumulative-caption" });
    root.append(el("figure", { class: "chart" }, this.chart, this.caption));
  },
  load: (view) => loadTrend(view),
  render(_root, { span, periods }) {
    // From 0 at the start of the range, one point at the end of each period.
    const xs = [span[0]];
    const totals = [0];
    for (const p of periods) {
      xs.push(p.shownEnd);
      totals.push(totals.at(-1) + (p.point ? p.point.size_saved : 0));
    }
    const y = byteScale(totals);
    drawPlot(this.chart, {
      scales: { x: spanScale(span), bytes: { range: () => y.range } },
      legend: { live: true },
      series: [
        { label: "Until" },
        { label: "Saved so far", scale: "bytes", stroke: "#2f7d4f", width: 2, fill: "rgba(47,125,79,0.15)", points: { show: false }, value: (_u, v) => (v === null ? "–" : bytes(v)) },
      ],
      axes: [{}, valueAxis("bytes", y)],
      // Room on the right for the last time label, which no axis there makes room for.
      padding: [null, 24, null, null],
    }, [xs, totals]);
    this.caption.textContent = `${bytes(totals.at(-1))} saved in this range`;
  },
};
