/**
 * `vpo process --dry-run`: the plan of each file, as text for people or as one JSON object
 * per line, with every action and the policy rule that caused it.
 */
import { basename } from "node:path";
import type { FilePlan, PlannedAction } from "../engine/mod.ts";
import { formatBytes } from "./format.ts";

/** A plan as plain data for JSON output. */
export function planJson(plan: FilePlan, sizeBytes: number | null, cannotWrite: string | null = null) {
  return {
    file: plan.path,
    final_path: plan.finalPath,
    container: plan.source.container,
    size_bytes: sizeBytes,
    changes: plan.changes,
    /** Why the file could not be rewritten (a read-only file system), or null. */
    cannot_write: cannotWrite,
    intent: plan.intent,
    phases: plan.phases.map((p) => ({
      name: p.name,
      changes: p.changes,
      actions: p.actions.map((a) => ({ type: a.type, track_type: a.trackType, track_index: a.trackIndex, rule: a.rule, message: a.message, before: a.before, after: a.after })),
    })),
  };
}

function track(a: PlannedAction): string {
  if (a.trackType === null) return "file";
  const before = (a.before ?? {}) as { codec?: string | null; language?: string | null };
  return `${a.trackType} #${a.trackIndex} ${before.language ?? "und"} ${before.codec ?? ""}`.trim();
}

/** Text for one file's plan; `cannotWrite` says why it could not be rewritten (a read-only file system). */
export function renderPlan(plan: FilePlan, sizeBytes: number | null, cannotWrite: string | null = null): string {
  const lines = [`${plan.path}  (${plan.source.container ?? "unknown"}, ${formatBytes(sizeBytes)})`];
  for (const phase of plan.phases) {
    lines.push(`  phase ${phase.name}${phase.changes ? "" : " — no changes"}`);
    const width = Math.max(0, ...phase.actions.map((a) => track(a).length));
    for (const a of phase.actions) lines.push(`    ${a.type.padEnd(14)} ${track(a).padEnd(width)}  ${a.message}  [${a.rule}]`);
  }
  const changes = plan.phases.flatMap((p) => p.actions).filter((a) => a.type === "remove" || a.type === "transcode" || a.type === "container").length;
  lines.push(!plan.changes
    ? "  → no changes; the file would not be rewritten"
    : cannotWrite
      ? `  → ${changes} change(s), but the file cannot be rewritten: ${cannotWrite}`
      : `  → ${changes} change(s); the file would be rewritten${plan.finalPath !== plan.path ? ` as ${basename(plan.finalPath)}` : ""}`);
  return lines.join("\n");
}
