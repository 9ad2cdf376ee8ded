import * as v from "valibot";
import type { VpoPlugin } from "./plugin.ts";
import { describeIssues } from "./validation.ts";

export type MetricsCheck = { ok: true; output: unknown } | { ok: false; message: string };

/**
 * What a plugin's afterRun returned, checked against its metrics schema: the parsed output, or
 * why it was refused. The capture runner checks in-process plugins with it; the plugin worker
 * checks isolated ones with it before their output leaves the worker.
 */
export function checkMetrics(plugin: Pick<VpoPlugin, "metrics">, value: unknown): MetricsCheck {
  if (!plugin.metrics) return { ok: false, message: "returned metrics but declares no metrics schema" };
  const parsed = v.safeParse(plugin.metrics, value);
  if (!parsed.success) return { ok: false, message: `metrics do not match its schema: ${describeIssues(parsed.issues).join("; ")}` };
  return { ok: true, output: parsed.output };
}
