// Reports the schedules made (GET /api/reports), newest first, each linking to its document.
import { bytes, el, shortWhen } from "../format.js";
import { dataTable, panelHeading, setRows } from "../ui.js";

const LIMIT = 10;

export default {
  id: "reports",
  mount(root) {
    this.note = panelHeading(root, "Reports");
    this.note.textContent = "([[reports.schedule]] in the config)";
    const { wrap, table } = dataTable({
      id: "reports",
      caption: "Scheduled reports, newest first",
      columns: [{ label: "Period" }, { label: "Schedule" }, { label: "Made" }, { label: "Status" }, { label: "Size", num: true }, { label: "Delivered" }],
    });
    this.table = table;
    root.append(wrap);
  },
  load: (view) => view.get("/api/reports", { limit: LIMIT }, { filters: false }),
  render(_root, reports) {
    setRows(this.table, reports.map((r) =>
      el("tr", { "data-report": r.id },
        el("td", {}, r.status === "done" ? el("a", { href: `/api/reports/${r.id}`, target: "_blank", rel: "noopener" }, `${r.period_key} (${r.format})`) : `${r.period_key} (${r.format})`),
        el("td", {}, r.schedule || "on demand"),
        el("td", {}, shortWhen(r.created_at ?? r.claimed_at)),
        el("td", { class: `status report-${r.status}`, title: r.error ?? "" }, r.status),
        el("td", { class: "num" }, r.size_bytes === null ? "–" : bytes(r.size_bytes)),
        el("td", {}, (r.deliveries ?? []).map((d) => `${d.ok ? "✓" : "✗"} ${d.channel}`).join(", ") || "–"),
      )), "No report made yet");
  },
};
