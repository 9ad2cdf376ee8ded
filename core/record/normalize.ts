import * as v from "valibot";
import { VpoError } from "../errors.ts";
import { parseOrThrow } from "../validation.ts";
import { compileFastParse, REJECTED } from "../validation_fast.ts";
import { REMOVED_COUNTS, RUN_FIELD_NAMES, type RunFieldName, type RunFields } from "./fields.ts";
import { type ActionResult, ActionResultSchema, type MetricValue, type PhaseResult, type PluginError, RunRecordSchema } from "./schema.ts";

/** A run with every field present and every invariant holding: what the repository stores. */
export interface RunRecord extends RunFields {
  actions: ActionResult[];
  phases: PhaseResult[];
  plugin_metrics: Record<string, Record<string, MetricValue>>;
  plugin_errors: PluginError[];
}

type RequiredField = "file_path" | "processed_at" | "policy_name" | "success";
type ChildInput<T> = { [K in keyof T]?: T[K] | null };

/** A run as reported: the required fields, any others, derived ones optional. */
export type RunRecordInput = Pick<RunFields, RequiredField> & { [K in Exclude<RunFieldName, RequiredField>]?: RunFields[K] | null } & {
  actions?: (ChildInput<ActionResult> & { action_type: string })[];
  phases?: (ChildInput<PhaseResult> & { phase_name: string })[];
  plugin_metrics?: Record<string, Record<string, MetricValue>>;
  plugin_errors?: PluginError[];
};

type Parsed = Record<RunFieldName, unknown> & Pick<RunRecord, "actions" | "phases" | "plugin_metrics" | "plugin_errors">;

/**
 * Validates a reported run and derives what follows from it, enforcing the invariants:
 * size_change = before − after, *_removed = max(0, before − after), phases_completed ≤ phases_total,
 * status agrees with success, processed_at in UTC ISO-8601.
 *
 * @example normalizeRunRecord({ file_path: "/m/a.mkv", processed_at: "2026-01-02T03:04:05+01:00", policy_name: "strip", success: true })
 */
export function normalizeRunRecord(input: unknown, context = "Invalid run record"): RunRecord {
  const fast = fastParseRun(input);
  const parsed = fast !== REJECTED ? fast : parseOrThrow(RunRecordSchema, input, context, "INVALID_RECORD");
  return deriveRun(parsed as Parsed, context);
}

/** The schema compiled for valid input (an import validates millions of runs); valibot explains the rest. */
const fastParseRun = compileFastParse(RunRecordSchema);

type Entries = Record<string, v.GenericSchema>;
/** The entries of a schema that have a default, as the schema declares them. */
const withDefault = (entries: Entries) => Object.entries(entries).filter(([, s]) => v.getDefault(s as never) !== undefined);
const RUN_DEFAULTS = withDefault(RunRecordSchema.entries as Entries);
const ACTION_DEFAULTS = withDefault(ActionResultSchema.entries as Entries);
const fillDefaults = (o: Record<string, unknown>, defaults: [string, v.GenericSchema][]) => {
  for (const [key, schema] of defaults) if (o[key] === undefined) o[key] = v.getDefault(schema as never);
};

/**
 * Normalises input that an earlier normalizeRunRecord already accepted — the same JSON text, parsed
 * again (an import's second pass, guarded by a hash of its lines) — without validating it again:
 * the schema's defaults are filled in and the derivations run. Anything else must go through
 * normalizeRunRecord.
 */
export function normalizeValidatedRun(input: Record<string, unknown>): RunRecord {
  fillDefaults(input, RUN_DEFAULTS);
  for (const action of input.actions as Record<string, unknown>[]) fillDefaults(action, ACTION_DEFAULTS);
  return deriveRun(input as Parsed, "Invalid run record");
}

function deriveRun(r: Parsed, context: string): RunRecord {
  const fail = (message: string): never => {
    throw new VpoError("INVALID_RECORD", `${context}: ${message}`);
  };
  const out = {} as Record<RunFieldName, unknown>;
  for (const name of RUN_FIELD_NAMES) out[name] = r[name] ?? null;
  const n = (name: RunFieldName) => out[name] as number | null;

  // Lowercase so id prefixes match however the reporting tool spelled the UUID.
  out.id = ((r.id as string | undefined) ?? Bun.randomUUIDv7()).toLowerCase();
  out.processed_at = new Date(r.processed_at as string).toISOString();

  const before = n("size_before");
  const after = n("size_after");
  const change = before === null || after === null ? null : before - after;
  if (change !== null && r.size_change != null && r.size_change !== change) fail(`size_change is ${r.size_change} but size_before − size_after is ${change}`);
  out.size_change = change ?? r.size_change ?? null;

  for (const [b, a, removed] of REMOVED_COUNTS) {
    const derived = n(b) === null || n(a) === null ? null : Math.max(0, n(b)! - n(a)!);
    if (derived !== null && r[removed] != null && r[removed] !== derived) fail(`${removed} is ${r[removed]} but max(0, before − after) is ${derived}`);
    out[removed] = derived ?? r[removed] ?? null;
  }

  const phasesTotal = (r.phases_total as number | undefined) ?? r.phases.length;
  const phasesCompleted = (r.phases_completed as number | undefined) ?? (r.success ? phasesTotal : 0);
  if (phasesCompleted > phasesTotal) fail(`phases_completed (${phasesCompleted}) exceeds phases_total (${phasesTotal})`);
  out.phases_total = phasesTotal;
  out.phases_completed = phasesCompleted;

  const status = (r.status as string | undefined) ?? (r.success ? "success" : "failed");
  if ((status === "success") !== r.success) fail(`status "${status}" contradicts success=${r.success}`);
  out.status = status;

  // Keeping a track or skipping a transcode leaves the file as it was: not a change.
  out.total_changes = r.total_changes ?? r.actions.filter((a) => a.action_type !== "keep" && !a.action_type.startsWith("skip")).length;

  const run = out as unknown as RunRecord;
  run.actions = r.actions;
  run.phases = r.phases;
  run.plugin_metrics = r.plugin_metrics;
  run.plugin_errors = r.plugin_errors;
  return run;
}
