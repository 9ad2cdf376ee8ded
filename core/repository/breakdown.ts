import type { Db } from "../db/handle.ts";
import type { RollupColumn } from "./_rollup.ts";
import { exactInteger } from "../json.ts";
import { normalizeRange } from "./_filters.ts";
import { savedBytes, savingsPercent, type Totals, type TotalsRead, totalsRead, WORK_COLUMNS, workTotals } from "./_totals.ts";
import type { BreakdownBy, BreakdownRow, StatsFilter } from "./views.ts";

/** What a breakdown row reads. */
const BREAKDOWN_COLUMNS = [...WORK_COLUMNS, "successes", "first_at", "last_at"] as const;

/**
 * Totals per node or per library over a window (and the other filters), most files first, from
 * the rollup: what `vpo stats nodes|libraries` and the dashboard's tables show. The rows add up to
 * the summary over the same filters.
 *
 * @example await getBreakdown(db, "node", { since: parseTimeBound("7d", "since") })
 */
export async function getBreakdown(db: Db, by: BreakdownBy, filter: StatsFilter = {}): Promise<BreakdownRow[]> {
  const read = breakdownRead(db, by, filter);
  return read.finish(read.statement === null ? [] : (await db.executeQuery<Record<string, unknown>>(read.statement)).rows);
}

/** getBreakdown as a read to send with others (readTogether); the fields of `columns` alone (the others 0, null). */
export function breakdownRead(db: Db, by: BreakdownBy, filter: StatsFilter = {}, columns: readonly RollupColumn[] = BREAKDOWN_COLUMNS): TotalsRead<BreakdownRow[]> {
  const read = totalsRead(db, { ...filter, range: normalizeRange(filter), group: by, source: "auto", columns });
  return {
    statement: read.statement,
    finish: async (rows) => (await read.finish(rows)).map(({ key, totals }) => toBreakdownRow(key, totals)).sort(
      (a, b) => b.files_processed - a.files_processed || String(a.name ?? "").localeCompare(String(b.name ?? "")),
    ),
  };
}

function toBreakdownRow(key: string, t: Totals): BreakdownRow {
  return {
    name: key === "" ? null : key,
    files_processed: t.runs,
    successes: t.successes,
    failures: t.runs - t.successes,
    success_rate: t.runs === 0 ? 0 : t.successes / t.runs,
    total_size_before: exactInteger(t.size_before),
    total_size_after: exactInteger(t.size_after),
    total_size_saved: exactInteger(savedBytes(t)),
    avg_savings_percent: savingsPercent(t),
    ...workTotals(t),
    first_used: t.first_at,
    last_used: t.last_at,
  };
}
