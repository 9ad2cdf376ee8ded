// Summary cards: totals over the page's range and filters (GET /api/stats/summary).
import { DAY, rangeLabel } from "../api.js";
import { bytes, count, duration, el, percent, ratio } from "../format.js";

const card = (title, ...body) => el("article", { class: "card" }, el("h3", {}, title), ...body);
const value = (field) => el("p", { class: "value", "data-field": field }, "–");
const sub = (field) => el("p", { class: "sub", "data-field": field });
const mini = (pairs) => el("dl", { class: "mini" }, pairs.flatMap(([label, field]) => [el("dt", {}, label), el("dd", { "data-field": field }, "–")]));

/** The window the page shows, as the compare API takes it; null for "all time" (it has no period before it). */
function compareWindow(range, now) {
  if (range.preset === "all") return null;
  if (range.preset === "custom") {
    if (!range.since || !range.until) return null;
    return { since: range.since, until: range.until };
  }
  const days = { "24h": 1, "7d": 7, "30d": 30, "90d": 90 }[range.preset];
  return { since: new Date(now - days * DAY).toISOString(), until: new Date(now).toISOString() };
}

/** "+12.3 %" or "−4.0 %" against the previous period; "" when there is nothing to compare with. */
const delta = (field) => (field?.change_percent === null || field?.change_percent === undefined ? (field && field.change !== null && Number(field.change) !== 0 ? "new" : "") : `${field.change_percent > 0 ? "+" : field.change_percent < 0 ? "−" : "±"}${Math.abs(field.change_percent).toFixed(1)} %`);

function setField(root, name, text, raw) {
  const node = root.querySelector(`[data-field="${name}"]`);
  node.textContent = text;
  if (raw !== undefined) node.dataset.value = String(raw);
}

export default {
  id: "summary",
  mount(root, page) {
    this.note = el("span", { class: "range-label", "data-range-label": "" });
    root.setAttribute("aria-labelledby", "summary-title");
    root.replaceChildren(
      el("h2", { id: "summary-title" }, "Summary ", this.note),
      el("label", { class: "compare-switch" }, (this.compare = el("input", { type: "checkbox", id: "compare-switch" })), " Compare with the previous period"),
      el("div", { class: "cards", id: "summary", "aria-busy": "true" },
        card("Files processed", value("total_files_processed"), sub("outcomes")),
        card("Success rate", value("success_rate"), sub("total_failed")),
        card("Space saved", value("total_size_saved"), sub("avg_savings_percent")),
        card("Tracks removed", mini([["Audio", "total_audio_removed"], ["Subtitles", "total_subtitles_removed"], ["Attachments", "total_attachments_removed"]])),
        card("Videos", mini([["Transcoded", "total_videos_transcoded"], ["Skipped", "total_videos_skipped"], ["Audio transcoded", "total_audio_transcoded"]])),
        card("Average time", value("avg_processing_time"), sub("encoders")),
      ),
    );
    this.compare.addEventListener("change", () => page.store.update({ compare: this.compare.checked ? "1" : "" }));
  },
  watches: ["compare"],
  async load(view) {
    const summary = await view.get("/api/stats/summary");
    const window = view.state.compare ? compareWindow(view.state.range, view.now) : null;
    const comparison = window ? await view.get("/api/stats/compare", window, { without: ["since", "until"] }) : null;
    return { summary, comparison };
  },
  render(root, { summary: s, comparison }, view) {
    this.compare.checked = Boolean(view.state.compare);
    this.compare.disabled = view.state.range.preset === "all";
    this.note.textContent = `(${rangeLabel(view.state.range)})`;
    const cards = root.querySelector("#summary");
    setField(cards, "total_files_processed", count(s.total_files_processed), s.total_files_processed);
    setField(cards, "outcomes", `${count(s.total_successful)} succeeded · ${count(s.total_failed)} failed`);
    setField(cards, "success_rate", s.total_files_processed ? ratio(s.success_rate) : "–", s.success_rate);
    setField(cards, "total_failed", s.total_failed ? `${count(s.total_failed)} failed or interrupted` : "no failures");
    setField(cards, "total_size_saved", bytes(s.total_size_saved), s.total_size_saved);
    setField(cards, "avg_savings_percent", `${percent(s.avg_savings_percent)} of ${bytes(s.total_size_before)}`, s.avg_savings_percent);
    for (const f of ["total_audio_removed", "total_subtitles_removed", "total_attachments_removed", "total_videos_transcoded", "total_videos_skipped", "total_audio_transcoded"]) {
      setField(cards, f, count(s[f]), s[f]);
    }
    setField(cards, "avg_processing_time", duration(s.avg_processing_time), s.avg_processing_time ?? "");
    setField(cards, "encoders", `${count(s.hardware_encodes)} hardware · ${count(s.software_encodes)} software encodes`);
    const changes = new Map((comparison?.fields ?? []).map((f) => [f.field, f]));
    for (const node of cards.querySelectorAll("[data-delta]")) node.remove();
    if (comparison) {
      for (const field of ["total_files_processed", "success_rate", "total_size_saved", "avg_processing_time"]) {
        const text = delta(changes.get(field));
        if (text) cards.querySelector(`[data-field="${field}"]`).append(el("span", { class: "delta", "data-delta": field, title: `vs ${comparison.baseline.label}` }, ` ${text}`));
      }
    }
    cards.setAttribute("aria-busy", "false");
  },
};
