import type { Db } from "../db/handle.ts";
import { VpoError } from "../errors.ts";
import { exactInteger } from "../json.ts";
import { normalizeRange, type TotalsSource } from "./_filters.ts";
import { queryTotals, savedBytes, savingsPercent, WORK_COLUMNS, workTotals, type Totals } from "./_totals.ts";
import type { PolicySort, PolicyStats, PolicyStatsOptions, StatsFilter } from "./views.ts";

/**
 * One row per policy that ran in the window. Sorted by files processed (default), bytes saved
 * or average processing time, all descending, ties by policy name. Reads whole days from the
 * stats_rollup and scans only the partial edge hours of its edge days, like getSummary.
 *
 * @example await getPolicyStats(db, { ...parseTimeRange({ since: "30d" }), sort: "savings" })
 */
export async function getPolicyStats(db: Db, options: PolicyStatsOptions = {}): Promise<PolicyStats[]> {
  const sort = options.sort ?? "files";
  if (!(sort in SORTS)) {
    throw new VpoError("INVALID_ARGUMENT", `Invalid sort "${sort}": expected one of ${Object.keys(SORTS).join(", ")}`);
  }
  const rows = await policyStatsFrom(db, options, "auto");
  return rows.sort((a, b) => SORTS[sort](a, b) || byName(a, b));
}

/** One policy's stats over the window, or null when it did not run in it. */
export async function getPolicy(db: Db, name: string, range: Omit<StatsFilter, "policy"> = {}): Promise<PolicyStats | null> {
  const [row] = await policyStatsFrom(db, { ...range, policy: name }, "auto");
  return row ?? null;
}

/** Policy stats with the source chosen; exported for the tests that all sources agree. */
export async function policyStatsFrom(db: Db, filter: StatsFilter, source: TotalsSource): Promise<PolicyStats[]> {
  const rows = await queryTotals(db, { ...filter, range: normalizeRange(filter), group: "policy", source, columns: POLICY_COLUMNS });
  return rows.map(({ key, totals }) => toPolicyStats(key, totals));
}

/** What toPolicyStats reads. */
const POLICY_COLUMNS = [...WORK_COLUMNS, "successes", "last_at"] as const;

const byName = (a: PolicyStats, b: PolicyStats) => (a.policy_name < b.policy_name ? -1 : a.policy_name > b.policy_name ? 1 : 0);

// Nulls (no durations reported) sort after every timed policy.
const SORTS: Record<PolicySort, (a: PolicyStats, b: PolicyStats) => number> = {
  files: (a, b) => b.files_processed - a.files_processed,
  savings: (a, b) => (BigInt(b.total_size_saved) > BigInt(a.total_size_saved) ? 1 : BigInt(b.total_size_saved) < BigInt(a.total_size_saved) ? -1 : 0),
  time: (a, b) => (b.avg_processing_time ?? -Infinity) - (a.avg_processing_time ?? -Infinity) || 0,
};

function toPolicyStats(policy: string, t: Totals): PolicyStats {
  return {
    policy_name: policy,
    files_processed: t.runs,
    success_rate: t.runs === 0 ? 0 : t.successes / t.runs,
    total_size_saved: exactInteger(savedBytes(t)),
    avg_savings_percent: savingsPercent(t),
    ...workTotals(t),
    last_used: t.last_at,
  };
}
