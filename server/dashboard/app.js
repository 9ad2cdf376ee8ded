// Dashboard wiring: the shared state, the time range form, loading the panels, live updates.
import { createView, rangeLabel } from "./api.js";
import { openDetail } from "./detail.js";
import { renderFilterChips } from "./filter_chips.js";
import { el } from "./format.js";
import { PANELS } from "./panels.js";
import { createStore, FILTERS } from "./state.js";

const $ = (selector) => document.querySelector(selector);
const form = $("#range-form");
const live = $("#live-status");
const dialog = $("#run-detail");
const store = createStore(location, history);

const page = {
  store,
  /** Ids of runs that arrived while the page was open, highlighted where they are listed. */
  fresh: new Set(),
  openRun: (id, opener) => openDetail(dialog, id, opener),
  /** Loads one panel again; `quiet` (a panel's own timer) leaves body[data-loaded] as it is. */
  reload: (panel, { quiet = false } = {}) => refresh(new Set(), [panel], quiet),
  /** The server's live events, for panels that update in place (panels.js). */
  events: new EventTarget(),
};

const roots = new Map(PANELS.map((panel) => [panel, document.querySelector(`[data-panel="${panel.id}"]`)]));
for (const [panel, root] of roots) {
  if (!root) throw new Error(`index.html has no <section data-panel="${panel.id}">`);
  panel.mount?.(root, page);
}

function showRange() {
  const { range } = store.get();
  form.elements.range.value = range.preset;
  $("#range-custom").hidden = range.preset !== "custom";
  if (range.preset === "custom") {
    $("#custom-since").value = range.since ?? "";
    $("#custom-until").value = range.until ?? "";
  }
  for (const node of document.querySelectorAll("[data-range-label]")) node.textContent = `(${rangeLabel(range)})`;
  renderFilterChips($("#active-filters"), store);
}

function showRangeError(message) {
  const box = $("#range-error");
  box.hidden = !message;
  box.textContent = message ?? "";
}

function showPanelError(root, message) {
  let box = root.querySelector(":scope > .panel-error");
  if (!message) return box?.remove();
  box ??= root.appendChild(el("p", { class: "panel-error", role: "alert" }));
  box.textContent = `Could not load: ${message}`;
}

const generation = new Map(); // panel → number of its latest load, so an older answer is dropped
let current; // the page-wide refresh under way

async function loadPanel(panel, view) {
  const mine = (generation.get(panel) ?? 0) + 1;
  generation.set(panel, mine);
  try {
    const data = await panel.load(view);
    if (generation.get(panel) !== mine) return;
    panel.render(roots.get(panel), data, view);
    showPanelError(roots.get(panel), null);
  } catch (error) {
    if (error.name !== "AbortError" && generation.get(panel) === mine) showPanelError(roots.get(panel), error.message);
  }
}

/** Loads `panels` (every one by default) for the current state; a newer page-wide refresh cancels an older one. */
async function refresh(changed = new Set(), panels = PANELS, quiet = false) {
  const controller = new AbortController();
  if (panels === PANELS) {
    current?.abort();
    current = controller;
  }
  const view = { ...createView(store.get(), controller.signal), changed };
  await Promise.all(panels.map((panel) => loadPanel(panel, view)));
  if (!controller.signal.aborted && !quiet) document.body.dataset.loaded = String(Date.now());
}

store.subscribe((_state, keys) => {
  showRange();
  if (["range", ...FILTERS].some((key) => keys.has(key))) return refresh(keys);
  const watching = PANELS.filter((panel) => panel.watches?.some((key) => keys.has(key)));
  if (watching.length) refresh(keys, watching);
});

form.addEventListener("change", (event) => {
  if (event.target.name !== "range") return;
  const preset = form.elements.range.value;
  $("#range-custom").hidden = preset !== "custom";
  if (preset === "custom") return $("#custom-since").focus();
  showRangeError(null);
  store.update({ range: { preset } });
});

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const since = $("#custom-since").value;
  const until = $("#custom-until").value;
  if (since && until && since > until) return showRangeError("The start date is after the end date.");
  showRangeError(null);
  store.update({ range: { preset: "custom", since, until } });
});

dialog.querySelector("[data-close]").addEventListener("click", () => dialog.close());
dialog.addEventListener("click", (event) => {
  if (event.target === dialog) dialog.close(); // a click on the backdrop
});

/** Live updates: a new run or job refreshes the panels (coalesced); new runs are highlighted. */
function connect() {
  const source = new EventSource("/api/events");
  let timer;
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(() => refresh(), 250);
  };
  let opened = false;
  source.addEventListener("open", () => {
    live.dataset.state = "live";
    live.textContent = "Live";
    if (opened) later(); // back after a disconnect: events may have been missed
    opened = true;
  });
  source.addEventListener("error", () => {
    live.dataset.state = "offline";
    live.textContent = "Reconnecting…";
  });
  source.addEventListener("run.recorded", (event) => {
    const run = JSON.parse(event.data);
    page.fresh.add(run.id);
    live.textContent = `Live — new run: ${run.file_path.split(/[\\/]/).pop()}`;
    later();
  });
  source.addEventListener("job.updated", later);
  // A notification of any server (the alerts panel reloads on it).
  source.addEventListener("alert", (event) => {
    const alert = JSON.parse(event.data);
    live.textContent = `Live — alert ${alert.rule}: ${alert.kind}`;
  });
  for (const name of ["file.progress", "run.recorded", "alert"]) {
    source.addEventListener(name, (event) => page.events.dispatchEvent(new CustomEvent(name, { detail: JSON.parse(event.data) })));
  }
}

// A link from a notification names the run to open (#…&run=<id>).
const linkedRun = new URLSearchParams(location.hash.replace(/^#/, "")).get("run");
if (linkedRun) page.openRun(linkedRun, null);

showRange();
refresh();
connect();
