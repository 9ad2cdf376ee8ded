// Alert rules and their state (GET /api/alerts), and the latest notifications with how each
// delivery went (GET /api/alerts/history). Any server's notification reloads it live.
import { el, shortWhen, when } from "../format.js";
import { dataTable, panelHeading, setRows } from "../ui.js";

const LIMIT = 10;
const STATE_TEXT = { firing: "● firing", pending: "◐ pending", ok: "✓ ok" };

function stateCell(rule) {
  const text = rule.unavailable ? "– not evaluated here" : STATE_TEXT[rule.state];
  const silenced = rule.silenced_until ? ` (silenced until ${shortWhen(rule.silenced_until)})` : "";
  return el("td", { class: `status alert-${rule.state}`, title: rule.unavailable ?? "" }, text + silenced);
}

function whatCell(page, rule) {
  const active = rule.alerts.filter((a) => a.status === "firing" || a.status === "pending");
  if (!active.length) return el("td", { class: "reason" }, rule.unavailable ?? "");
  return el("td", { class: "reason" }, active.map((a) => {
    const runId = a.details?.run_id;
    const summary = el("span", { title: a.summary ?? "" }, a.summary ?? "");
    if (typeof runId !== "string") return el("div", {}, summary);
    const open = el("button", { type: "button", class: "link", "data-run": runId }, "open run");
    open.addEventListener("click", () => page.openRun(runId, open));
    return el("div", {}, summary, " ", open);
  }));
}

function deliveries(entry) {
  if (entry.silenced) return "held back by a silence";
  if (!entry.deliveries.length) return "–";
  return entry.deliveries.map((d) => `${d.channel}: ${d.status}${d.attempts > 1 ? ` (${d.attempts} attempts)` : ""}${d.status !== "sent" && d.last_error ? ` — ${d.last_error}` : ""}`).join("; ");
}

const EVENT_TEXT = (e) => (e.kind === "firing" ? (e.seq === 0 ? "fired" : `reminder ${e.seq}`) : e.kind);

export default {
  id: "alerts",
  mount(root, page) {
    this.page = page;
    this.note = panelHeading(root, "Alerts");
    this.note.textContent = "(every server, any time)";
    const rules = dataTable({
      id: "alert-rules",
      caption: "Alert rules and their state",
      columns: [{ label: "Rule" }, { label: "Kind" }, { label: "Severity" }, { label: "State" }, { label: "Since" }, { label: "What holds" }, { label: "Channels" }],
    });
    const history = dataTable({
      id: "alert-history",
      caption: `The latest ${LIMIT} notifications and their deliveries`,
      columns: [{ label: "When" }, { label: "Rule" }, { label: "Event" }, { label: "Summary" }, { label: "Deliveries" }],
    });
    this.rules = rules.table;
    this.history = history.table;
    root.append(rules.wrap, el("h3", {}, "Latest notifications"), history.wrap);
    // A notification of any server arrives as an "alert" event; how its deliveries went (sent,
    // retrying, failed) is known only later: look again quietly now and then too.
    page.events.addEventListener("alert", () => page.reload(this));
    setInterval(() => page.reload(this, { quiet: true }), 15_000);
  },
  async load(view) {
    const [rules, history] = await Promise.all([
      view.get("/api/alerts", {}, { filters: false }),
      view.get("/api/alerts/history", { limit: LIMIT }, { filters: false }),
    ]);
    return { rules, history };
  },
  render(_root, { rules, history }) {
    setRows(this.rules, rules.map((r) => {
      const since = r.alerts.find((a) => a.status === "firing" || a.status === "pending");
      return el("tr", { "data-alert-rule": r.rule, "data-state": r.state },
        el("td", {}, r.rule),
        el("td", {}, r.kind),
        el("td", {}, r.severity),
        stateCell(r),
        el("td", {}, since ? el("time", { datetime: since.fired_at ?? since.active_since, title: when(since.fired_at ?? since.active_since) }, shortWhen(since.fired_at ?? since.active_since)) : "–"),
        whatCell(this.page, r),
        el("td", {}, r.channels.join(", ") || "–"),
      );
    }), "No alert rules: add [[alerts.rules]] to config.toml");
    setRows(this.history, history.map((e) =>
      el("tr", { "data-alert-event": String(e.id) },
        el("td", {}, el("time", { datetime: e.at, title: when(e.at) }, shortWhen(e.at))),
        el("td", {}, e.rule),
        el("td", { class: `status alert-${e.kind}` }, EVENT_TEXT(e)),
        el("td", { class: "reason", title: e.summary ?? "" }, e.summary ?? ""),
        el("td", { class: "reason" }, deliveries(e)),
      )), "No notifications yet");
  },
};
