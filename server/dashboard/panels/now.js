// What is happening now, on every machine (GET /api/queue): files in progress with live progress
// bars and time left (file.progress events, which vpo serve reads from the database every second),
// the queue's depth, and failed jobs with a retry button (POST /api/queue/{id}/retry, which needs
// the API token: asked for on the page and kept in sessionStorage, never in the URL).
import { count, duration, el, shortWhen } from "../format.js";
import { dataTable, filterButton, panelHeading, setRows } from "../ui.js";
import { retryJob } from "../token.js";

const pct = (p) => (p === null || p === undefined ? "–" : `${p.toFixed(1)} %`);
const speed = (s) => (s === null || s === undefined ? "–" : `${s.toFixed(2)}×`);

/** The progress cell of a run: a bar and its percent. */
function progressCell(run) {
  const bar = el("progress", { max: "100", "aria-label": `${run.path}: ${pct(run.percent)}` });
  if (run.percent !== null && run.percent !== undefined) bar.value = run.percent;
  return el("td", { class: "progress", "data-percent": run.percent ?? "" }, bar, " ", el("span", { class: "pct" }, pct(run.percent)));
}

/** Updates a row in place from a file.progress event. */
function applyProgress(row, p) {
  const cell = row.querySelector("td.progress");
  cell.dataset.percent = p.percent ?? "";
  const bar = cell.querySelector("progress");
  if (p.percent === null || p.percent === undefined) bar.removeAttribute("value");
  else bar.value = p.percent;
  cell.querySelector(".pct").textContent = pct(p.percent);
  row.querySelector("[data-phase]").textContent = p.phase ?? "starting";
  row.querySelector("[data-speed]").textContent = speed(p.speed);
  row.querySelector("[data-eta]").textContent = duration(p.eta_seconds);
}

export default {
  id: "now",
  mount(root, page) {
    this.page = page;
    this.note = panelHeading(root, "Now");
    this.depth = el("p", { class: "queue-depth", "data-queue-depth": "" });
    const running = dataTable({
      id: "now-running",
      caption: "Files being processed now on every machine, with progress of the current phase",
      columns: [{ label: "Node" }, { label: "File" }, { label: "Phase" }, { label: "Progress" }, { label: "Speed", num: true }, { label: "Left", num: true }, { label: "Since" }],
    });
    const failed = dataTable({
      id: "now-failed",
      caption: "Queue jobs that failed for good; retry sends one back to the queue",
      columns: [{ label: "File" }, { label: "Tries", num: true }, { label: "Error" }, { label: "" }],
    });
    this.running = running.table;
    this.failed = failed.table;
    this.failedHeading = el("h3", {}, "Failed jobs");
    this.message = el("p", { class: "retry-message", role: "status", "aria-live": "polite" });
    root.append(this.depth, running.wrap, this.failedHeading, failed.wrap, this.message);
    // Queue counts change without an event (a job completes just after its run is recorded): read them again every 5 s.
    setInterval(() => page.reload(this, { quiet: true }), 5_000);
    let timer;
    page.events.addEventListener("file.progress", (event) => {
      const p = event.detail;
      const row = p.run_id && this.running.querySelector(`tr[data-run-id="${p.run_id}"]`);
      if (row) return applyProgress(row, p);
      // A file this panel does not show yet (or one from another filter): reload, at most once a second.
      if (!timer) timer = setTimeout(() => { timer = undefined; page.reload(this, { quiet: true }); }, 1000);
    });
  },
  load: (view) => view.get("/api/queue", {}, { without: ["since", "until", "policy"] }),
  render(_root, status, view) {
    const c = status.counts;
    const scope = [view.state.node && `node ${view.state.node}`, view.state.library && `library ${view.state.library}`].filter(Boolean).join(", ");
    this.note.textContent = scope ? `(${scope})` : "(every machine)";
    this.depth.replaceChildren(
      el("strong", { "data-count": "waiting", "data-value": c.created + c.retry }, count(c.created + c.retry)), " waiting · ",
      el("strong", { "data-count": "active", "data-value": c.active }, count(c.active)), " running · ",
      el("strong", { "data-count": "failed", "data-value": c.failed }, count(c.failed)), " failed · ",
      el("strong", { "data-count": "completed", "data-value": c.completed }, count(c.completed)), " done",
    );
    setRows(this.running, status.in_progress.map((r) =>
      el("tr", { "data-run-id": r.run_id, "data-node": r.node ?? "" },
        el("td", {}, r.node ? filterButton(this.page, "node", r.node) : r.host),
        el("td", { class: "file", title: r.file_path }, r.library ? `${r.library}/${r.path}` : r.path),
        el("td", { "data-phase": "" }, r.phase ?? "starting"),
        progressCell(r),
        el("td", { class: "num", "data-speed": "" }, speed(r.speed)),
        el("td", { class: "num", "data-eta": "" }, duration(r.eta_seconds)),
        el("td", {}, shortWhen(r.started_at)),
      )), "Nothing in progress");
    this.failedHeading.hidden = status.failed.length === 0;
    this.failed.closest(".table-wrap").hidden = status.failed.length === 0;
    setRows(this.failed, status.failed.map((f) => {
      const button = el("button", { type: "button", "data-retry": f.id }, "Retry");
      button.addEventListener("click", async () => {
        button.disabled = true;
        const answer = await retryJob(f.id);
        this.message.textContent = answer.message;
        if (answer.ok) this.page.reload(this);
        else button.disabled = false;
      });
      return el("tr", { "data-failed-job": f.id },
        el("td", { class: "file", title: f.id }, `${f.library}/${f.path}`),
        el("td", { class: "num" }, count(f.attempts)),
        el("td", { class: "reason", title: f.error ?? "" }, f.error ?? "no reason recorded"),
        el("td", {}, button));
    }), "No failed jobs");
  },
};
