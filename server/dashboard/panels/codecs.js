// The video codec mix before and after processing (GET /api/stats/codecs): two 100 % bars
// with a shared legend, and the counts in a table.
import { count, el } from "../format.js";
import { dataTable, numCell, panelHeading, setRows } from "../ui.js";

const COLORS = ["#3557a8", "#2f7d4f", "#c07a12", "#8e44ad", "#b3261e", "#16808a", "#6b7280"];
const MAX_CODECS = COLORS.length - 1; // the rest are summed as "other"

/** Rows with the most-used codecs first, the tail folded into "other". */
function topCodecs(rows) {
  const sorted = [...rows].sort((a, b) => b.before + b.after - (a.before + a.after) || a.codec.localeCompare(b.codec));
  if (sorted.length <= MAX_CODECS + 1) return sorted;
  const rest = sorted.slice(MAX_CODECS);
  return [...sorted.slice(0, MAX_CODECS), { codec: "other", before: rest.reduce((n, r) => n + r.before, 0), after: rest.reduce((n, r) => n + r.after, 0) }];
}

function mixBar(label, shares, side) {
  const total = shares.reduce((n, s) => n + s[side], 0);
  const segments = shares.map((s, i) => (s[side] ? el("span", {
    class: "segment", style: `width:${((s[side] / total) * 100).toFixed(2)}%;background:${COLORS[i]}`,
    title: `${s.codec}: ${count(s[side])} (${((s[side] / total) * 100).toFixed(1)} %)`,
  }) : null));
  return el("div", { class: "mix-row", "data-side": side },
    el("span", { class: "mix-label" }, label),
    el("span", { class: "mix-bar", role: "img", "aria-label": `${label}: ${shares.filter((s) => s[side]).map((s) => `${s.codec} ${count(s[side])}`).join(", ") || "none"}` },
      total ? segments : el("span", { class: "muted" }, "none")),
  );
}

export default {
  id: "codecs",
  mount(root) {
    panelHeading(root, "Video codecs before → after");
    this.chart = el("div", { class: "mix", id: "codec-mix" });
    const { wrap, table } = dataTable({ id: "codecs", caption: "Runs per video codec before and after processing", columns: [{ label: "Codec" }, { label: "Before", num: true }, { label: "After", num: true }] });
    this.table = table;
    root.append(this.chart, wrap);
  },
  load: (view) => view.get("/api/stats/codecs"),
  render(_root, rows) {
    const shares = topCodecs(rows);
    this.chart.replaceChildren(
      mixBar("Before", shares, "before"),
      mixBar("After", shares, "after"),
      el("ul", { class: "legend" }, shares.map((s, i) => el("li", {}, el("span", { class: "swatch", style: `background:${COLORS[i]}` }), s.codec))),
    );
    setRows(this.table, rows.map((r) => el("tr", { "data-codec": r.codec }, el("th", { scope: "row" }, r.codec), numCell(count(r.before), r.before), numCell(count(r.after), r.after))),
      "No video codecs reported in this range");
  },
};
