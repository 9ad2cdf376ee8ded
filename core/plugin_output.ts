import * as v from "valibot";
import type { VpoPlugin } from "./plugin.ts";
import type { MetricValue } from "./record/mod.ts";
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

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x) && !(x instanceof Date);

/** `{ a: { b: 1 } }` → `{ "a.b": 1 }`; arrays and other objects become JSON text; anything but an object gives nothing. */
export function flattenMetrics(value: unknown): Record<string, MetricValue> {
  return isPlainObject(value) ? flatten(value) : {};
}

function flatten(value: Record<string, unknown>, prefix = "", out: Record<string, MetricValue> = {}) {
  for (const [key, item] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (isPlainObject(item)) flatten(item, name, out);
    else if (item === undefined) continue;
    else if (item === null || typeof item === "number" || typeof item === "string" || typeof item === "boolean") out[name] = item;
    else out[name] = JSON.stringify(item);
  }
  return out;
}
