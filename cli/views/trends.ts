import type { TrendPoint } from "../../core/mod.ts";
import { formatBytes, formatNumber, formatSavedBytes, renderTable } from "../format.ts";

/** The columns of `stats trends --format csv`. */
export const TREND_COLUMNS = [
  "period", "files_processed", "successes", "failures", "size_before", "size_after", "size_saved",
] as const satisfies readonly (keyof TrendPoint)[];

/** One row per period, oldest first, with a total row when there is more than one period. */
export function renderTrends(points: TrendPoint[]): string {
  const row = (label: string, p: Omit<TrendPoint, "period">) => [
    label,
    formatNumber(p.files_processed),
    formatNumber(p.successes),
    formatNumber(p.failures),
    formatBytes(p.size_before),
    formatSavedBytes(p.size_saved),
  ];
  const rows = points.map((p) => row(p.period, p));
  if (points.length > 1) {
    const sum = (k: "files_processed" | "successes" | "failures") => points.reduce((n, p) => n + p[k], 0);
    const bytes = (k: "size_before" | "size_after" | "size_saved") => points.reduce((n, p) => n + BigInt(p[k]), 0n);
    rows.push(row("Total", {
      files_processed: sum("files_processed"), successes: sum("successes"), failures: sum("failures"),
      size_before: bytes("size_before"), size_after: bytes("size_after"), size_saved: bytes("size_saved"),
    }));
  }
  return renderTable(
    ["Period", "Files", "Succeeded", "Failed", "Before", "Saved"],
    rows,
    ["left", "right", "right", "right", "right", "right"],
  );
}
