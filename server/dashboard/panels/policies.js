// Per-policy totals (GET /api/stats/policies), sortable by any column; a policy's name narrows
// the whole page to it.
import { bytes, count, duration, el, percent, ratio, when } from "../format.js";
import { dataTable, filterButton, numCell, panelHeading, setRows } from "../ui.js";

const SORT_VALUE = {
  tracks_removed: (p) => p.audio_tracks_removed + p.subtitle_tracks_removed + p.attachments_removed,
  avg_processing_time: (p) => p.avg_processing_time ?? -1,
};

/** Sorts policy rows by a column; text ascending by default, numbers descending. */
export function sortPolicies(rows, key, direction) {
  const value = SORT_VALUE[key] ?? ((p) => p[key] ?? "");
  const sign = direction === "ascending" ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    const order = typeof x === "string" ? x.localeCompare(y) : x - y;
    return order * sign || a.policy_name.localeCompare(b.policy_name);
  });
}

const COLUMNS = [
  { label: "Policy", sort: "policy_name" },
  { label: "Files", num: true, sort: "files_processed" },
  { label: "Success", num: true, sort: "success_rate" },
  { label: "Saved", num: true, sort: "total_size_saved" },
  { label: "Saved %", num: true, sort: "avg_savings_percent" },
  { label: "Tracks removed", num: true, sort: "tracks_removed" },
  { label: "Transcoded", num: true, sort: "videos_transcoded" },
  { label: "Avg time", num: true, sort: "avg_processing_time" },
  { label: "Last used", sort: "last_used" },
];

export default {
  id: "policies",
  mount(root, page) {
    this.page = page;
    this.sort = { key: "files_processed", direction: "descending" };
    this.rows = [];
    this.note = panelHeading(root, "Policies");
    const { wrap, table } = dataTable({ id: "policies", caption: "Per-policy comparison; activate a column header to sort, a policy to show only its runs", columns: COLUMNS });
    this.table = table;
    table.tHead.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-sort]");
      if (!button) return;
      const key = button.dataset.sort;
      const direction = this.sort.key === key ? (this.sort.direction === "ascending" ? "descending" : "ascending") : key === "policy_name" ? "ascending" : "descending";
      this.sort = { key, direction };
      this.show();
    });
    root.append(wrap);
  },
  // The endpoint lists every policy; under a policy filter only that policy's row is shown.
  load: (view) => view.get("/api/stats/policies", {}, { without: ["policy"] }),
  render(_root, rows, view) {
    this.rows = view.state.policy ? rows.filter((p) => p.policy_name === view.state.policy) : rows;
    this.note.textContent = view.state.policy ? "(filtered)" : "";
    this.show();
  },
  show() {
    const { key, direction } = this.sort;
    for (const th of this.table.tHead.rows[0].cells) th.setAttribute("aria-sort", th.querySelector(`[data-sort="${key}"]`) ? direction : "none");
    setRows(this.table, sortPolicies(this.rows, key, direction).map((p) =>
      el("tr", { "data-policy": p.policy_name },
        el("th", { scope: "row" }, filterButton(this.page, "policy", p.policy_name)),
        numCell(count(p.files_processed), p.files_processed),
        numCell(ratio(p.success_rate), p.success_rate),
        numCell(bytes(p.total_size_saved), p.total_size_saved),
        numCell(percent(p.avg_savings_percent), p.avg_savings_percent),
        el("td", { class: "num", title: `audio ${p.audio_tracks_removed} · subtitles ${p.subtitle_tracks_removed} · attachments ${p.attachments_removed}` }, count(SORT_VALUE.tracks_removed(p))),
        numCell(count(p.videos_transcoded), p.videos_transcoded),
        numCell(duration(p.avg_processing_time), p.avg_processing_time ?? ""),
        el("td", {}, when(p.last_used)),
      )), "No runs in this range");
  },
};
