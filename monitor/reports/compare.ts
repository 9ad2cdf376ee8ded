import * as v from "valibot";
import type { StatsSummary } from "../../core/mod.ts";

/** One summary field over two windows. */
export const ComparedFieldSchema = v.object({
  field: v.string(),
  current: v.nullable(v.union([v.number(), v.bigint(), v.string()])),
  baseline: v.nullable(v.union([v.number(), v.bigint(), v.string()])),
  /** current − baseline (exact for byte totals); null for times and unknowns. */
  change: v.nullable(v.union([v.number(), v.bigint()])),
  /** (current − baseline) / |baseline| × 100; null when the baseline is 0 or unknown. */
  change_percent: v.nullable(v.number()),
});
export interface ComparedField extends v.InferOutput<typeof ComparedFieldSchema> {}

/** Fields that are instants, not amounts: shown side by side, not subtracted. */
const INSTANTS = new Set(["earliest_processing", "latest_processing"]);

const asBig = (x: number | bigint) => (typeof x === "bigint" ? x : Number.isInteger(x) ? BigInt(x) : null);

/** current − baseline, exactly when both are integers (byte totals may exceed 2^53). */
function difference(current: number | bigint, baseline: number | bigint): number | bigint {
  const a = asBig(current);
  const b = asBig(baseline);
  if (a !== null && b !== null) {
    const d = a - b;
    return d >= BigInt(Number.MIN_SAFE_INTEGER) && d <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(d) : d;
  }
  return Math.round((Number(current) - Number(baseline)) * 1e9) / 1e9;
}

/**
 * Every field of two summaries side by side, in the summary's order, with the absolute and
 * percentage change from `baseline` to `current`.
 *
 * @example compareSummaries(thisWeek, lastWeek).find((f) => f.field === "total_size_saved")
 * // { field: "total_size_saved", current: 3000, baseline: 2000, change: 1000, change_percent: 50 }
 */
export function compareSummaries(current: StatsSummary, baseline: StatsSummary): ComparedField[] {
  return (Object.keys(current) as (keyof StatsSummary)[]).map((field) => {
    const a = current[field];
    const b = baseline[field];
    if (INSTANTS.has(field) || a === null || b === null || typeof a === "string" || typeof b === "string") {
      return { field, current: a, baseline: b, change: null, change_percent: null };
    }
    const change = difference(a, b);
    const base = Number(b);
    return { field, current: a, baseline: b, change, change_percent: base === 0 ? null : Math.round((Number(change) / Math.abs(base)) * 1e6) / 1e4 };
  });
}
