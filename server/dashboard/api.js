// Talks to the vpo HTTP API; every number the dashboard shows comes from these calls.

/** GET a JSON view; throws an Error carrying the API's message on a non-2xx answer. */
export async function getJson(path, signal) {
  const res = await fetch(path, { headers: { accept: "application/json" }, signal });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(body?.error ?? `${path} answered ${res.status}`);
  return body;
}

const DAY = 86_400_000;

/**
 * A time range as the dashboard knows it: a preset ("24h", "7d", "30d", "90d", "all") or
 * { since, until } dates for "custom". Returns the query string for the views and the trend
 * period that gives a readable number of points (undefined for "all": see periodForSummary).
 */
export function rangeQuery(range) {
  const params = new URLSearchParams();
  let days;
  if (range.preset === "custom") {
    if (range.since) params.set("since", range.since);
    if (range.until) params.set("until", range.until);
    const from = range.since ? Date.parse(range.since) : Date.now() - 365 * DAY;
    const to = range.until ? Date.parse(range.until) + DAY : Date.now();
    days = (to - from) / DAY;
  } else if (range.preset !== "all") {
    params.set("since", range.preset);
    days = range.preset === "24h" ? 1 : Number.parseInt(range.preset, 10);
  }
  return { query: params.toString(), groupBy: days === undefined ? undefined : periodFor(days) };
}

/** The trend period for a span of days: day up to 45, week up to 400, else month. */
export const periodFor = (days) => (days <= 45 ? "day" : days <= 400 ? "week" : "month");

/** For "all time": the period that suits the span of the runs themselves. */
export function periodForSummary(summary) {
  if (!summary.earliest_processing) return "day";
  return periodFor((Date.parse(summary.latest_processing) - Date.parse(summary.earliest_processing)) / DAY);
}

/** Human label of a range: "last 7 days", "all time", "2026-01-01 → 2026-01-31". */
export function rangeLabel(range) {
  switch (range.preset) {
    case "24h": return "last 24 hours";
    case "all": return "all time";
    case "custom": return `${range.since || "start"} → ${range.until || "now"}`;
    default: return `last ${Number.parseInt(range.preset, 10)} days`;
  }
}

/** Reads the range from the URL hash (#range=7d or #range=custom&since=…&until=…). */
export function rangeFromHash(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const preset = params.get("range");
  if (!["24h", "7d", "30d", "90d", "all", "custom"].includes(preset ?? "")) return { preset: "30d" };
  return preset === "custom" ? { preset, since: params.get("since") ?? "", until: params.get("until") ?? "" } : { preset };
}

/** The hash that restores a range. */
export function rangeToHash(range) {
  const params = new URLSearchParams({ range: range.preset });
  if (range.preset === "custom") {
    if (range.since) params.set("since", range.since);
    if (range.until) params.set("until", range.until);
  }
  return `#${params}`;
}
