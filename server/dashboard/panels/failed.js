// The latest failed runs under the page's filters, with the reason each gave
// (GET /api/stats/runs?status=failed); the full list is one click away in the run search.
import { basename, el, shortWhen, when } from "../format.js";
import { dataTable, panelHeading, runButton, setRows } from "../ui.js";

const LIMIT = 8;

export default {
  id: "failed",
  mount(root, page) {
    this.page = page;
    this.note = panelHeading(root, "Failed runs");
    const { wrap, table } = dataTable({
      id: "failed",
      caption: "The latest failed runs and why they failed; open one for its details",
      columns: [{ label: "When" }, { label: "File" }, { label: "Reason" }],
    });
    this.table = table;
    this.more = el("button", { type: "button", class: "more", "data-show-failed": "" }, "Search every failed run");
    this.more.addEventListener("click", () => {
      page.store.update({ status: "failed" });
      document.querySelector('[data-panel="runs"]')?.scrollIntoView({ behavior: "smooth", block: "start" });
    });
    root.append(wrap, this.more);
  },
  load: (view) => view.get("/api/stats/runs", { status: "failed", limit: LIMIT }),
  render(_root, result) {
    this.note.textContent = result.has_more ? `(latest ${LIMIT})` : "";
    this.more.hidden = !result.has_more;
    setRows(this.table, result.runs.map((r) =>
      el("tr", { "data-failed-run": r.stats_id },
        el("td", {}, el("time", { datetime: r.processed_at, title: when(r.processed_at) }, shortWhen(r.processed_at))),
        el("td", { class: "file" }, runButton(this.page, r, basename(r.file_path))),
        el("td", { class: "reason", title: r.error_message ?? "" }, r.error_message ?? "no reason recorded"),
      )), "No failed runs in this range");
  },
};
