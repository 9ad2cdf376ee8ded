import { sql } from "kysely";
import { jsonArrayFrom as postgresJsonArray } from "kysely/helpers/postgres";
import { jsonArrayFrom as sqliteJsonArray } from "kysely/helpers/sqlite";
import { type Db, dialectOf } from "../db/handle.ts";
import { type ActionResult, type PhaseResult, type PluginError, RUN_FIELD_NAMES, type RunFieldName, type RunRecord } from "../record/mod.ts";
import { flag, flagOrNull, normalizeRange, runFilter } from "./_filters.ts";
import { decodeMetrics } from "./_metric_rows.ts";
import type { StatsFilter } from "./views.ts";

/** The run-level fields of an exported run, in record order: the columns of a CSV export. */
export const RUN_RECORD_SCALAR_FIELDS: readonly RunFieldName[] = RUN_FIELD_NAMES;

/**
 * One query whose rows are whole runs: each run's children come along as JSON arrays from
 * correlated subqueries (served by the *_stats indexes). A single statement is what lets the
 * export use Kysely's `.stream()`: the SQLite driver holds its one connection for the whole
 * stream, so a second query per batch of runs would wait forever. (PostgreSQL streams through a
 * cursor on one pooled connection, which holds likewise.)
 */
function runsQuery(db: Db, filter: StatsFilter) {
  const jsonArrayFrom = dialectOf(db) === "postgres" ? postgresJsonArray : sqliteJsonArray;
  return db
    .selectFrom("processing_stats")
    .where(runFilter(normalizeRange(filter), filter))
    .select(RUN_FIELD_NAMES.map((c) => `processing_stats.${c}` as const))
    .select((eb) => [
      jsonArrayFrom(
        eb
          .selectFrom("action_results")
          .select([
            "action_type", "track_type", "track_index", "before_state", "after_state", "success", "duration_ms", "rule_reference", "message",
          ])
          .whereRef("action_results.stats_id", "=", "processing_stats.id")
          .orderBy("seq"),
      ).as("actions_json"),
      jsonArrayFrom(
        eb
          .selectFrom("performance_metrics")
          .select(["phase_name", "wall_time_seconds", "bytes_read", "bytes_written", "encoding_fps", "encoding_bitrate"])
          .whereRef("performance_metrics.stats_id", "=", "processing_stats.id")
          .orderBy("seq"),
      ).as("phases_json"),
      eb.selectFrom("plugin_metrics").select("plugin_metrics.metrics").whereRef("plugin_metrics.stats_id", "=", "processing_stats.id").as("metrics_json"),
      jsonArrayFrom(
        eb
          .selectFrom("plugin_errors")
          .select(["plugin", "hook", "code", "message"])
          .whereRef("plugin_errors.stats_id", "=", "processing_stats.id")
          .orderBy("plugin_errors.id"),
      ).as("errors_json"),
    ])
    // processed_at alone is served by an index in order, so rows stream as SQLite finds them;
    // ties (same instant) only need SQLite's sort within their own group.
    .orderBy("processing_stats.processed_at")
    .orderBy("processing_stats.id");
}

type RunRow = Awaited<ReturnType<ReturnType<typeof runsQuery>["execute"]>>[number];

/**
 * Every run in the window, oldest first, as a RunRecord: exactly the line format that
 * normalizeRunRecord / recordRun accept, so an export re-imports into identical numbers.
 * Rows are streamed (Kysely `.stream()`), so memory stays flat however many runs there are.
 * The connection is busy until the iteration ends or is abandoned.
 *
 * @example for await (const run of streamRunRecords(db, { policy: "strip" })) out.write(`${JSON.stringify(run)}\n`);
 */
export async function* streamRunRecords(db: Db, filter: StatsFilter = {}): AsyncGenerator<RunRecord> {
  for await (const row of runsQuery(db, filter).stream()) yield toRunRecord(row);
}

/** Whether any run falls in the window (checked before a stream, to fail fast on nothing to export). */
export async function hasRuns(db: Db, filter: StatsFilter = {}): Promise<boolean> {
  const row = await db
    .selectFrom("processing_stats")
    .select(sql<number>`1`.as("one"))
    .where(runFilter(normalizeRange(filter), filter))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

function toRunRecord(row: RunRow): RunRecord {
  const { actions_json, phases_json, metrics_json, errors_json, ...columns } = row;
  return {
    ...columns,
    success: flag(columns.success),
    video_transcode_skipped: flagOrNull(columns.video_transcode_skipped),
    actions: parseArray<Record<string, unknown>>(actions_json).map(
      (a): ActionResult => ({
        ...(a as unknown as ActionResult),
        before_state: parseState(a.before_state),
        after_state: parseState(a.after_state),
        success: flag(a.success),
      }),
    ),
    phases: parseArray<PhaseResult>(phases_json),
    plugin_metrics: decodeMetrics(metrics_json),
    plugin_errors: parseArray<PluginError>(errors_json),
  };
}

/** The JSON arrays built by jsonArrayFrom arrive as text on SQLite (and already parsed on PostgreSQL). */
function parseArray<T>(value: unknown): T[] {
  return (typeof value === "string" ? JSON.parse(value) : (value ?? [])) as T[];
}

/** before/after state is stored as JSON text by recordRun; text that no longer parses is kept as a string. */
function parseState(text: unknown): unknown {
  if (typeof text !== "string") return text ?? null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
