/**
 * The run record: its fields defined once (fields.ts), the validation derived from them
 * (schema.ts) and normalisation (normalize.ts).
 */
export {
  ENCODER_TYPES, FIELD_KINDS, MAX_BYTES, MAX_METRIC, MAX_SECONDS, MAX_TEXT, MAX_TRACKS, REMOVED_COUNTS, RUN_FACT_KEYS,
  RUN_FIELD_NAMES, RUN_FIELDS, RUN_LIMITS, RUN_STATUSES, runColumnTypes,
} from "./fields.ts";
export type { FieldKind, RunColumns, RunFactKey, RunFieldName, RunFields } from "./fields.ts";
export { ActionResultSchema, fieldSchema, RunFieldsOutputSchema, MetricKeySchema, MetricValueSchema, PhaseResultSchema, PluginErrorSchema, RunRecordSchema } from "./schema.ts";
export type { ActionResult, MetricValue, PhaseResult, PluginError } from "./schema.ts";
export { normalizeRunRecord, normalizeValidatedRun } from "./normalize.ts";
export type { RunRecord, RunRecordInput } from "./normalize.ts";
