/**
 * size: the file's size before and after a run (→ size_before, size_after; the core derives
 * size_change), plus the bytes read and written by the run's phases.
 */
import { stat } from "node:fs/promises";
import * as v from "valibot";
import { definePlugin, type PhaseReport, type RunContext, type VpoPlugin } from "../../core/mod.ts";

const bytes = v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0)));

/** What the size plugin returns from afterRun; size_before/size_after fill typed columns. */
export const SizeMetricsSchema = v.object({
  size_before: bytes,
  size_after: bytes,
  /** Sum of the phases' bytes read; null unless every phase reported it. */
  bytes_read: bytes,
  /** Sum of the phases' bytes written; null unless every phase reported it. */
  bytes_written: bytes,
});
/** Output of the size plugin. */
export type SizeMetrics = v.InferOutput<typeof SizeMetricsSchema>;

/** Size in bytes, or null when the file is gone (a failed run may leave nothing behind). */
async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/** A sum is only honest when every phase measured the figure; one unknown makes it unknown. */
function total(phases: readonly PhaseReport[], key: "bytesRead" | "bytesWritten"): number | null {
  if (phases.length === 0) return null;
  let sum = 0;
  for (const phase of phases) {
    const value = phase[key];
    if (value === null) return null;
    sum += value;
  }
  return sum;
}

/**
 * Creates the size plugin.
 *
 * @example
 * registry.register(createSizePlugin());
 */
export function createSizePlugin(): VpoPlugin<SizeMetrics> {
  const before = new WeakMap<RunContext, number | null>();
  return definePlugin({
    name: "size",
    version: "1.0.0",
    description: "File size before and after the run; bytes read and written by its phases",
    metrics: SizeMetricsSchema,
    facts: ["size_before", "size_after"],
    async beforeRun(run) {
      before.set(run, await sizeOf(run.filePath));
    },
    async afterRun(run) {
      return {
        size_before: before.get(run) ?? null,
        size_after: await sizeOf(run.filePath),
        bytes_read: total(run.phases, "bytesRead"),
        bytes_written: total(run.phases, "bytesWritten"),
      };
    },
  });
}

/** The size plugin with default options. */
export default createSizePlugin();
