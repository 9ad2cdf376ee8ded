// Totals per library or node (GET /api/stats/libraries, /api/stats/nodes): a factory of breakdown
// panels (the machines have their own panel, nodes.js). A name narrows the whole page to it; runs
// that named none are listed but cannot be.
import { bytes, count, duration, el, percent, ratio, shortWhen } from "../format.js";
import { dataTable, filterButton, numCell, panelHeading, setRows } from "../ui.js";

const COLUMNS = (name) => [
  { label: name }, { label: "Files", num: true }, { label: "Success", num: true }, { label: "Saved", num: true },
  { label: "Saved %", num: true }, { label: "Avg time", num: true }, { label: "Last run" },
];

/** A panel over /api/stats/<path> whose rows filter the page by `kind` (library or node). */
export function breakdownPanel({ id, kind, path, title, name, none }) {
  return {
    id,
    mount(root, page) {
      this.page = page;
      this.note = panelHeading(root, title);
      const { wrap, table } = dataTable({ id, caption: `Totals per ${kind}; activate a name to show only its runs`, columns: COLUMNS(name) });
      this.table = table;
      root.append(wrap);
    },
    load: (view) => view.get(path),
    render(_root, rows, view) {
      this.note.textContent = view.state[kind] ? "(filtered)" : "";
      setRows(this.table, rows.map((r) =>
        el("tr", { [`data-${kind}`]: r.name ?? "" },
          el("th", { scope: "row" }, r.name === null ? el("span", { class: "muted", title: none }, "(none)") : filterButton(this.page, kind, r.name)),
          numCell(count(r.files_processed), r.files_processed),
          numCell(ratio(r.success_rate), r.success_rate),
          numCell(bytes(r.total_size_saved), r.total_size_saved),
          numCell(percent(r.avg_savings_percent), r.avg_savings_percent),
          numCell(duration(r.avg_processing_time), r.avg_processing_time ?? ""),
          el("td", {}, shortWhen(r.last_used)),
        )), "No runs in this range");
    },
  };
}

export const librariesPanel = breakdownPanel({
  id: "libraries", kind: "library", path: "/api/stats/libraries", title: "Libraries", name: "Library", none: "Runs outside every [libraries] root",
});
