// What the library is made of, over time (GET /api/stats/library?trend=true): files and size per
// day a scan took a snapshot, and the latest mix of resolutions, video codecs, HDR and audio
// languages. Follows the page's library filter; every file scanned when none is chosen.
import { byteScale, countScale, drawPlot, spanScale, valueAxis } from "../chart.js";
import { bytes, count, el } from "../format.js";
import { panelHeading } from "../ui.js";

const COLORS = ["#3557a8", "#2f7d4f", "#c07a12", "#8e44ad", "#b3261e", "#16808a", "#6b7280"];
const SHOWN = [["resolution", "Resolution"], ["video_codec", "Video codec"], ["hdr", "HDR"], ["audio_language", "Audio languages"]];

function mix(label, shares, total) {
  const top = shares.slice(0, COLORS.length);
  return el("div", { class: "mix-row", "data-dimension": label },
    el("span", { class: "mix-label" }, label),
    el("span", { class: "mix-bar", role: "img", "aria-label": `${label}: ${top.map((s) => `${s.value} ${count(s.files)}`).join(", ")}` },
      top.map((s, i) => el("span", { class: "segment", style: `width:${((s.files / Math.max(1, total)) * 100).toFixed(2)}%;background:${COLORS[i]}`, title: `${s.value}: ${count(s.files)} files, ${bytes(s.bytes)}` }))),
  );
}

export default {
  id: "library",
  mount(root) {
    this.note = panelHeading(root, "Library over time");
    this.chart = el("div", { id: "library-chart", class: "plot", role: "img", "aria-label": "Files and size of the library per day" });
    this.mix = el("div", { class: "mix", id: "library-mix" });
    this.legend = el("p", { class: "muted", id: "library-legend" });
    root.append(el("figure", { class: "chart" }, this.chart), this.mix, this.legend);
  },
  async load(view) {
    try {
      return await view.get("/api/stats/library", { trend: "true", ...(view.state.library ? { library: view.state.library } : {}) }, { filters: false });
    } catch (error) {
      return { error: error.message };
    }
  },
  render(_root, data, view) {
    if (data.error || data.snapshots.length === 0) {
      this.note.textContent = view.state.library ? `(${view.state.library})` : "";
      this.chart.uplot?.destroy();
      this.chart.replaceChildren(el("p", { class: "empty" }, data.error ?? "No snapshot yet: a scan takes one (vpo scan DIR)."));
      this.mix.replaceChildren();
      this.legend.textContent = "";
      return;
    }
    const days = data.snapshots;
    const latest = days.at(-1);
    this.note.textContent = `(${data.library || "every file scanned"}, ${days.length} ${days.length === 1 ? "day" : "days"})`;
    const xs = days.map((d) => Date.parse(`${d.day}T12:00:00Z`));
    const size = byteScale(days.map((d) => d.bytes));
    const files = countScale(days.map((d) => d.files));
    drawPlot(this.chart, {
      scales: { x: spanScale([xs[0] - 86_400_000, xs.at(-1) + 86_400_000]), bytes: { range: () => size.range }, files: { range: () => files.range } },
      series: [
        { label: "Day" },
        { label: "Size", scale: "bytes", stroke: "#3557a8", width: 2, points: { show: true }, value: (_u, v) => (v === null ? "–" : bytes(v)) },
        { label: "Files", scale: "files", stroke: "#c07a12", width: 2, dash: [6, 4], points: { show: true }, value: (_u, v) => (v === null ? "–" : count(v)) },
      ],
      axes: [{}, valueAxis("bytes", size), valueAxis("files", files, { side: 1, grid: { show: false } })],
    }, [xs, days.map((d) => d.bytes), days.map((d) => d.files)]);
    this.mix.replaceChildren(...SHOWN.map(([key, label]) => mix(label, latest.dimensions[key] ?? [], latest.files)));
    this.legend.textContent = `${latest.day}: ${count(latest.files)} files, ${bytes(latest.bytes)} — ${SHOWN.map(([key, label]) => `${label.toLowerCase()}: ${(latest.dimensions[key] ?? []).slice(0, 4).map((s) => `${s.value} ${count(s.files)}`).join(", ")}`).join("; ")}`;
  },
};
