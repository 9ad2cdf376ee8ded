// Talks to the vpo HTTP API; every number the dashboard shows comes from these calls.
import { FILTERS } from "./state.js";

/** GET a JSON view; throws an Error carrying the API's message on a non-2xx answer. */
export async function getJson(path, signal) {
  const res = await fetch(path, { headers: { accept: "application/json" }, signal });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(body?.error ?? `${path} answered ${res.status}`);
  return body;
}

export const DAY = 86_400_000;

/** `since`/`until` of a range as the API takes them: a relative preset, or the custom dates. */
export function rangeParams(range) {
  if (range.preset === "custom") return { ...(range.since ? { since: range.since } : {}), ...(range.until ? { until: range.until } : {}) };
  return range.preset === "all" ? {} : { since: range.preset };
}

/** The days a preset spans. */
const PRESET_DAYS = { "24h": 1, "7d": 7, "30d": 30, "90d": 90 };

/**
 * The span the charts show, in ms: a preset from its start to `now`; a custom range from its
 * first day to the end of its last (open ends: the first run, now); "all" from the first run to
 * the last. `summary` is the StatsSummary under the same filters. A span of no length (one run)
 * is widened by half a day each side so there is something to draw.
 */
export function rangeSpan(range, summary, now) {
  const first = summary.earliest_processing ? Date.parse(summary.earliest_processing) : undefined;
  const last = summary.latest_processing ? Date.parse(summary.latest_processing) : undefined;
  let span;
  if (range.preset === "all") span = [first ?? now - 30 * DAY, last ?? now];
  else if (range.preset === "custom") {
    span = [range.since ? Date.parse(`${range.since}T00:00:00Z`) : (first ?? now - 30 * DAY), range.until ? Date.parse(`${range.until}T00:00:00Z`) + DAY : now];
  } else span = [now - PRESET_DAYS[range.preset] * DAY, now];
  return span[1] > span[0] ? span : [span[0] - DAY / 2, span[0] + DAY / 2];
}

/** The trend period for a span of days: day up to 45, week up to 400, else month. */
export const periodFor = (days) => (days <= 45 ? "day" : days <= 400 ? "week" : "month");

/** Human label of a range: "last 7 days", "all time", "2026-01-01 → 2026-01-31". */
export function rangeLabel(range) {
  switch (range.preset) {
    case "24h": return "last 24 hours";
    case "all": return "all time";
    case "custom": return `${range.since || "start"} → ${range.until || "now"}`;
    default: return `last ${Number.parseInt(range.preset, 10)} days`;
  }
}

/**
 * What a panel loads through during one refresh of the page: the state, a signal that aborts
 * when a newer refresh starts, one `now` for every panel, and `get`, which adds the page's
 * filters to a view's query and asks the API once per URL however many panels need it.
 */
export function createView(state, signal, now = Date.now()) {
  const loads = new Map();
  return {
    state,
    signal,
    now,
    /**
     * GET `path` with the range and filters (`without` names those the endpoint does not take;
     * `filters: false` adds none) and the `extra` parameters.
     */
    get(path, extra = {}, { without = [], filters = true } = {}) {
      const params = new URLSearchParams();
      if (filters) {
        const scope = { ...rangeParams(state.range), ...Object.fromEntries(FILTERS.filter((k) => state[k]).map((k) => [k, state[k]])) };
        for (const [key, value] of Object.entries(scope)) if (!without.includes(key)) params.set(key, value);
      }
      for (const [key, value] of Object.entries(extra)) if (value !== undefined && value !== "") params.set(key, String(value));
      const url = params.size ? `${path}?${params}` : path;
      if (!loads.has(url)) loads.set(url, getJson(url, signal));
      return loads.get(url);
    },
  };
}
