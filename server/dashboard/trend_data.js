// What both time charts draw: the span of the page's range, the period that suits it, and every
// period across it with its totals (from /api/stats/trends; the API leaves out empty periods).
import { DAY, periodFor, rangeSpan } from "./api.js";
import { periodsOver } from "./periods.js";

/** Loads { span: [from, to] (ms), groupBy, periods } for a view; the panels share its requests. */
export async function loadTrend(view) {
  const summary = await view.get("/api/stats/summary");
  const span = rangeSpan(view.state.range, summary, view.now);
  const groupBy = periodFor((span[1] - span[0]) / DAY);
  const points = await view.get("/api/stats/trends", { group_by: groupBy });
  return { span, groupBy, periods: periodsOver(points, groupBy, span), points };
}

/** The x of a period in the charts: the middle of its part inside the span. */
export const periodX = (p) => (p.shownStart + p.shownEnd) / 2;
