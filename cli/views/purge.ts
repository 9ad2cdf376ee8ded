import type { PurgeCounts } from "../../core/mod.ts";
import { formatInstant, formatNumber, renderSection } from "../format.ts";

const LABELS: [keyof PurgeCounts, string][] = [
  ["processing_stats", "Processing records"],
  ["action_results", "Action results"],
  ["performance_metrics", "Performance metrics"],
  ["plugin_metrics", "Plugin metrics"],
  ["plugin_errors", "Plugin errors"],
];

/** In words, which runs a purge selects: `runs before 2026-03-01 00:00:00 UTC of policy "strip"`. */
export function describePurge(criteria: { before?: string; policy?: string; all?: boolean }): string {
  if (criteria.all) return "every run";
  const parts = ["runs"];
  if (criteria.before) parts.push(`before ${formatInstant(criteria.before)} UTC`);
  if (criteria.policy) parts.push(`of policy "${criteria.policy}"`);
  return parts.join(" ");
}

/** The rows a purge removes per table, under a heading saying what happened to them. */
export function renderPurgeCounts(heading: string, counts: PurgeCounts): string {
  return renderSection(heading, LABELS.map(([key, label]) => [label, formatNumber(counts[key])]));
}
