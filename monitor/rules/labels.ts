/**
 * Which runs a rule looks at (its label filters) and which alert an observation belongs to (its
 * fingerprint: the values of the labels it groups by, and the phase for phase rules).
 */
import type { LabelFilter, LabelName, LabelValues, RuleConfig } from "../../core/mod.ts";
import { LABELS } from "../../core/mod.ts";

const list = (value: string | string[] | undefined): string[] | undefined => (value === undefined ? undefined : [value].flat());

/** The rule's `policy`, `library` and `node` filters. */
export function ruleFilter(rule: RuleConfig): LabelFilter {
  const filter: LabelFilter = {};
  for (const label of LABELS) {
    const values = list(rule[label]);
    if (values) filter[label] = values;
  }
  return filter;
}

/** Whether label values pass a filter (a label absent from the values, or not filtered, passes). */
export function matchesFilter(values: Partial<Record<LabelName, string | null>>, filter: LabelFilter): boolean {
  return Object.entries(filter).every(([label, allowed]) => {
    const value = values[label as LabelName];
    return allowed === undefined || value === undefined || (value !== null && allowed.includes(value));
  });
}

/** `library=movies,node=alpha` — "" for a rule that makes one alert. Keys sorted, so equal labels give equal fingerprints. */
export function fingerprintOf(labels: Record<string, string | null | undefined>): string {
  return Object.keys(labels)
    .filter((k) => labels[k] !== undefined)
    .sort()
    .map((k) => `${k}=${labels[k] ?? ""}`)
    .join(",");
}

export type Labels = LabelValues & { phase?: string };
