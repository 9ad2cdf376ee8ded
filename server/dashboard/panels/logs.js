// The log records kept in the database (GET /api/logs): warnings and errors of every process on
// the database by default, with their job, run and file; filter by level and text.
import { basename, el, shortWhen, when } from "../format.js";
import { dataTable, panelHeading, setRows } from "../ui.js";

const LIMIT = 50;
const LEVELS = ["debug", "info", "warning", "error"];

export default {
  id: "logs",
  mount(root, page) {
    this.page = page;
    this.note = panelHeading(root, "Logs");
    this.note.textContent = `(latest ${LIMIT} kept records, every machine)`;
    this.level = el("select", { id: "log-level", name: "level" }, el("option", { value: "" }, "every level kept"), LEVELS.map((l) => el("option", { value: l }, `${l} and above`)));
    this.grep = el("input", { type: "search", id: "log-grep", name: "grep", placeholder: "text in the message or file", autocomplete: "off", maxlength: "200" });
    const form = el("form", { class: "run-search", role: "search", "aria-label": "Filter logs" },
      el("label", {}, "Level ", this.level),
      el("label", {}, "Contains ", this.grep),
      el("button", { type: "submit" }, "Filter"),
    );
    let typing;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      clearTimeout(typing);
      page.reload(this);
    });
    this.grep.addEventListener("input", () => {
      clearTimeout(typing);
      typing = setTimeout(() => page.reload(this), 400);
    });
    this.level.addEventListener("change", () => page.reload(this));
    const { wrap, table } = dataTable({
      id: "logs",
      caption: "Log records kept in the database, newest last",
      columns: [{ label: "When" }, { label: "Level" }, { label: "Where" }, { label: "Message" }, { label: "Run" }],
    });
    this.table = table;
    root.append(form, wrap);
  },
  load(view) {
    return view.get("/api/logs", { limit: LIMIT, level: this.level.value || undefined, grep: this.grep.value.trim() || undefined }, { filters: false });
  },
  render(_root, entries) {
    setRows(this.table, [...entries].reverse().map((e) => {
      let run = "–";
      if (e.run_id) {
        run = el("button", { type: "button", class: "link", "data-run": e.run_id, title: e.file ?? e.run_id }, e.file ? basename(e.file) : e.run_id.slice(0, 8));
        run.addEventListener("click", () => this.page.openRun(e.run_id, run));
      }
      const where = [e.category, e.node].filter(Boolean).join(" · ");
      return el("tr", { "data-log": String(e.id), "data-level": e.level },
        el("td", {}, el("time", { datetime: e.at, title: when(e.at) }, shortWhen(e.at))),
        el("td", { class: `status log-${e.level}` }, e.level),
        el("td", {}, where),
        el("td", { class: "log-message" }, el("pre", {}, e.message)),
        el("td", {}, run),
      );
    }), "No log records kept in this database yet");
  },
};
