// The machines (GET /api/nodes): each one's runs under the page's filters, space saved, failure
// rate, encoding speed, and whether it is online (seen in the last 45 s: workers send a heartbeat
// every 10 s). A name narrows the whole page to that machine. Online and offline change with the
// clock, not with events: the table is read again every 15 s, and at once when a machine it does
// not list yet reports progress.
import { bytes, count, el, ratio, shortWhen } from "../format.js";
import { dataTable, filterButton, numCell, panelHeading, setRows } from "../ui.js";

export default {
  id: "nodes",
  mount(root, page) {
    this.page = page;
    this.note = panelHeading(root, "Machines");
    const { wrap, table } = dataTable({
      id: "nodes",
      caption: "Every machine: runs in this range, space saved, failure rate, encoding fps, last seen; activate a name to show only its runs",
      columns: [{ label: "Node" }, { label: "Runs", num: true }, { label: "Saved", num: true }, { label: "Failures", num: true }, { label: "Enc. fps", num: true }, { label: "Status" }, { label: "Last seen" }],
    });
    this.table = table;
    root.append(wrap);
    this.known = new Set();
    setInterval(() => page.reload(this, { quiet: true }), 15_000);
    page.events.addEventListener("file.progress", (event) => {
      const node = event.detail.node;
      if (node && !this.known.has(node)) {
        this.known.add(node); // once: the reload lists it
        page.reload(this, { quiet: true });
      }
    });
  },
  load: (view) => view.get("/api/nodes"),
  render(_root, rows, view) {
    this.note.textContent = view.state.node ? "(filtered)" : "";
    for (const r of rows) if (r.name) this.known.add(r.name);
    setRows(this.table, rows.map((r) =>
      el("tr", { "data-node": r.name ?? "", "data-online": String(r.online) },
        el("th", { scope: "row", title: r.hostname ? `host ${r.hostname}${r.version ? `, vpo ${r.version}` : ""}` : null },
          r.name === null ? el("span", { class: "muted", title: "Runs that named no node" }, "(none)") : filterButton(this.page, "node", r.name)),
        numCell(count(r.runs), r.runs),
        numCell(bytes(r.total_size_saved), r.total_size_saved),
        numCell(ratio(r.failure_rate), r.failure_rate),
        numCell(r.avg_encoding_fps === null ? "–" : r.avg_encoding_fps.toFixed(1), r.avg_encoding_fps ?? ""),
        el("td", { class: r.online ? "status online" : "status offline", "data-status": r.online ? "online" : "offline" }, r.id === null ? "–" : r.online ? "● online" : "○ offline"),
        el("td", {}, el("time", { datetime: r.last_seen ?? "" }, shortWhen(r.last_seen))),
      )), "No machines");
  },
};
