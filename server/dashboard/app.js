// Dashboard wiring: time range, loading the views, sorting, run details and live updates.
import { getJson, periodForSummary, rangeFromHash, rangeLabel, rangeQuery, rangeToHash } from "./api.js";
import { renderTrend, resizeTrend } from "./chart.js";
import { openDetail } from "./detail.js";
import { renderCodecs, renderPolicies, renderRecent, renderSummary, sortPolicies } from "./views.js";

const $ = (selector) => document.querySelector(selector);
const form = $("#range-form");
const live = $("#live-status");
const dialog = $("#run-detail");

let range = rangeFromHash(location.hash);
let policies = [];
let sort = { key: "files_processed", direction: "descending" };
let loading;
const fresh = new Set();

function showRange() {
  form.elements.range.value = range.preset;
  $("#range-custom").hidden = range.preset !== "custom";
  if (range.preset === "custom") {
    $("#custom-since").value = range.since ?? "";
    $("#custom-until").value = range.until ?? "";
  }
  for (const node of document.querySelectorAll("[data-range-label]")) node.textContent = `(${rangeLabel(range)})`;
}

function showError(message) {
  const box = $("#range-error");
  box.hidden = !message;
  box.textContent = message ?? "";
}

/** Loads every view for the current range; a newer load cancels an older one. */
async function loadAll() {
  loading?.abort();
  const controller = new AbortController();
  loading = controller;
  const { query, groupBy: fixedPeriod } = rangeQuery(range);
  const q = query ? `?${query}` : "";
  const trendsFor = (groupBy) => getJson(`/api/stats/trends?${[query, `group_by=${groupBy}`].filter(Boolean).join("&")}`, controller.signal);
  try {
    const summaryLoad = getJson(`/api/stats/summary${q}`, controller.signal);
    const trendLoad = fixedPeriod ? trendsFor(fixedPeriod).then((t) => [fixedPeriod, t]) : summaryLoad.then(async (s) => [periodForSummary(s), await trendsFor(periodForSummary(s))]);
    const [summary, [groupBy, trends], policyRows, codecs, recent] = await Promise.all([
      summaryLoad,
      trendLoad,
      getJson(`/api/stats/policies${q}`, controller.signal),
      getJson(`/api/stats/codecs${q}`, controller.signal),
      getJson("/api/stats/recent?limit=20", controller.signal),
    ]);
    showError(null);
    renderSummary($("#summary"), summary);
    $("[data-trend-label]").textContent = `(per ${groupBy})`;
    $("#trend-caption").textContent = renderTrend($("#trend-chart"), trends, groupBy);
    policies = policyRows;
    renderPolicies($("#policies"), sortPolicies(policies, sort.key, sort.direction));
    renderCodecs($("#codecs"), codecs);
    renderRecent($("#recent"), recent, (id, opener) => openDetail(dialog, id, opener), fresh);
    document.body.dataset.loaded = String(Date.now());
  } catch (error) {
    if (error.name !== "AbortError") showError(error.message);
  }
}

form.addEventListener("change", (event) => {
  if (event.target.name !== "range") return;
  const preset = form.elements.range.value;
  $("#range-custom").hidden = preset !== "custom";
  if (preset === "custom") return $("#custom-since").focus();
  range = { preset };
  history.replaceState(null, "", rangeToHash(range));
  showRange();
  loadAll();
});

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const since = $("#custom-since").value;
  const until = $("#custom-until").value;
  if (since && until && since > until) return showError("The start date is after the end date.");
  range = { preset: "custom", since, until };
  history.replaceState(null, "", rangeToHash(range));
  showRange();
  loadAll();
});

$("#policies thead").addEventListener("click", (event) => {
  const button = event.target.closest("button[data-sort]");
  if (!button) return;
  const key = button.dataset.sort;
  const textual = key === "policy_name";
  const direction = sort.key === key ? (sort.direction === "ascending" ? "descending" : "ascending") : textual ? "ascending" : "descending";
  sort = { key, direction };
  for (const th of document.querySelectorAll("#policies th")) th.setAttribute("aria-sort", th.querySelector(`[data-sort="${key}"]`) ? direction : "none");
  renderPolicies($("#policies"), sortPolicies(policies, key, direction));
});

dialog.querySelector("[data-close]").addEventListener("click", () => dialog.close());
dialog.addEventListener("click", (event) => {
  if (event.target === dialog) dialog.close(); // a click on the backdrop
});

/** Live updates: a new run refreshes the views (coalesced), and is highlighted in the list. */
function connect() {
  const source = new EventSource("/api/events");
  let timer;
  const refresh = () => {
    clearTimeout(timer);
    timer = setTimeout(loadAll, 250);
  };
  let opened = false;
  source.addEventListener("open", () => {
    live.dataset.state = "live";
    live.textContent = "Live";
    if (opened) refresh(); // back after a disconnect: events may have been missed
    opened = true;
  });
  source.addEventListener("error", () => {
    live.dataset.state = "offline";
    live.textContent = "Reconnecting…";
  });
  source.addEventListener("run.recorded", (event) => {
    const run = JSON.parse(event.data);
    fresh.add(run.id);
    live.textContent = `Live — new run: ${run.file_path.split(/[\\/]/).pop()}`;
    refresh();
  });
  source.addEventListener("job.updated", refresh);
}

window.addEventListener("hashchange", () => {
  range = rangeFromHash(location.hash);
  showRange();
  loadAll();
});
window.addEventListener("resize", () => resizeTrend($("#trend-chart")));

showRange();
loadAll();
connect();
