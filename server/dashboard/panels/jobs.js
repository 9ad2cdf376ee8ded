// The latest jobs, whatever the filters (GET /api/jobs): scans, processing runs, imports.
import { count, duration, el, shortWhen } from "../format.js";
import { dataTable, panelHeading, setRows } from "../ui.js";

const LIMIT = 8;

function took(job) {
  if (!job.started_at) return "–";
  const end = job.completed_at ? Date.parse(job.completed_at) : Date.now();
  return duration((end - Date.parse(job.started_at)) / 1000);
}

export default {
  id: "jobs",
  mount(root) {
    this.note = panelHeading(root, "Jobs");
    this.note.textContent = `(latest ${LIMIT}, any time, every machine)`;
    const { wrap, table } = dataTable({
      id: "jobs",
      caption: "The latest jobs, newest first",
      columns: [{ label: "Started" }, { label: "Type" }, { label: "Status" }, { label: "Policy" }, { label: "Files", num: true }, { label: "Took", num: true }, { label: "Node" }, { label: "Error" }],
    });
    this.table = table;
    root.append(wrap);
  },
  load: (view) => view.get("/api/jobs", { limit: LIMIT }, { filters: false }),
  render(_root, jobs) {
    setRows(this.table, jobs.map((j) =>
      el("tr", { "data-job": j.id },
        el("td", {}, shortWhen(j.started_at ?? j.created_at)),
        el("td", {}, j.type),
        el("td", { class: `status job-${j.status}` }, j.status),
        el("td", {}, j.policy_name ?? "–"),
        el("td", { class: "num" }, j.files_total === null ? "–" : `${j.files_affected === null ? "" : `${count(j.files_affected)} / `}${count(j.files_total)}`),
        el("td", { class: "num" }, took(j)),
        el("td", {}, j.node ?? "–"),
        el("td", { class: "reason", title: j.error ?? "" }, j.error ?? ""),
      )), "No jobs recorded yet");
  },
};
