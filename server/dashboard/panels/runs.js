// Every run under the page's filters, a page at a time, searchable by path text and outcome
// (GET /api/stats/runs). Runs posted meanwhile arrive highlighted; a row opens the run's detail.
import { basename, bytes, duration, el, when } from "../format.js";
import { STATUSES } from "../state.js";
import { dataTable, panelHeading, runButton, setRows, STATUS_TEXT } from "../ui.js";

const PAGE_SIZE = 20;

function videoText(r) {
  if (!r.video_source_codec) return "–";
  if (r.video_transcode_skipped === false) return `${r.video_source_codec} → ${r.video_target_codec ?? "?"}`;
  return `${r.video_source_codec} (kept)`;
}

export default {
  id: "runs",
  /** Besides the page-wide filters, the search text and outcome reload this panel. */
  watches: ["q", "status"],
  mount(root, page) {
    this.page = page;
    this.cursors = [undefined]; // cursors[i] loads page i + 1
    this.note = panelHeading(root, "Runs");
    this.q = el("input", { type: "search", id: "run-q", name: "q", placeholder: "part of a path, e.g. S01E02", autocomplete: "off", maxlength: "200" });
    this.status = el("select", { id: "run-status", name: "status" }, el("option", { value: "" }, "any outcome"), STATUSES.map((s) => el("option", { value: s }, s)));
    const form = el("form", { class: "run-search", role: "search", "aria-label": "Search runs" },
      el("label", {}, "File path contains ", this.q),
      el("label", {}, "Outcome ", this.status),
      el("button", { type: "submit" }, "Search"),
      el("p", { class: "hint" }, "Policy, library, machine and dates: the filters and range above."),
    );
    const submit = () => page.store.update({ q: this.q.value.trim(), status: this.status.value });
    let typing;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      clearTimeout(typing);
      submit();
    });
    this.q.addEventListener("input", () => {
      clearTimeout(typing);
      typing = setTimeout(submit, 400);
    });
    this.status.addEventListener("change", submit);
    const { wrap, table } = dataTable({
      id: "recent",
      caption: "Runs, newest first; open one for its details",
      columns: [{ label: "When" }, { label: "File" }, { label: "Policy" }, { label: "Library" }, { label: "Node" }, { label: "Status" }, { label: "Saved", num: true }, { label: "Video" }, { label: "Time", num: true }],
    });
    this.table = table;
    this.newer = el("button", { type: "button", "data-page": "newer" }, "← Newer");
    this.older = el("button", { type: "button", "data-page": "older" }, "Older →");
    this.position = el("span", { class: "page-position", "aria-live": "polite" });
    this.newer.addEventListener("click", () => this.turn(-1));
    this.older.addEventListener("click", () => this.turn(1));
    root.append(form, wrap, el("nav", { class: "pager", "aria-label": "Pages of runs" }, this.newer, this.position, this.older));
  },
  turn(by) {
    if (by > 0 && this.next) this.cursors.push(this.next);
    if (by < 0 && this.cursors.length > 1) this.cursors.pop();
    this.page.reload(this);
  },
  load(view) {
    if (view.changed.size) this.cursors = [undefined]; // other filters: back to the newest runs
    return view.get("/api/stats/runs", { q: view.state.q, status: view.state.status, limit: PAGE_SIZE, cursor: this.cursors.at(-1) });
  },
  render(_root, result, view) {
    if (document.activeElement !== this.q) this.q.value = view.state.q ?? "";
    this.status.value = view.state.status ?? "";
    this.next = result.next_cursor;
    const pageNo = this.cursors.length;
    this.note.textContent = `(newest first, ${PAGE_SIZE} a page)`;
    this.position.textContent = `Page ${pageNo}`;
    this.position.dataset.pageNumber = String(pageNo);
    this.newer.disabled = pageNo === 1;
    this.older.disabled = !result.has_more;
    setRows(this.table, result.runs.map((r) =>
      el("tr", { "data-run-row": r.stats_id, class: this.page.fresh.has(r.stats_id) ? "new" : null },
        el("td", {}, el("time", { datetime: r.processed_at }, when(r.processed_at))),
        el("td", { class: "file" }, runButton(this.page, r, basename(r.file_path))),
        el("td", {}, r.policy_name),
        el("td", {}, r.library ?? "–"),
        el("td", {}, r.node ?? "–"),
        el("td", { class: `status ${r.status}` }, STATUS_TEXT[r.status] ?? r.status),
        el("td", { class: "num" }, bytes(r.size_change)),
        el("td", {}, videoText(r)),
        el("td", { class: "num" }, duration(r.duration_seconds)),
      )), view.state.q || view.state.status ? "No run matches this search" : "No runs in this range");
  },
};
