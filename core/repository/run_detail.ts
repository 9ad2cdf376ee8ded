import type { Db } from "../db/handle.ts";
import { flag, flagOrNull } from "./_filters.ts";
import { decodeMetrics } from "./_metric_rows.ts";
import { resolveRunId } from "./run_id.ts";
import type { RunAction, RunDetail } from "./views.ts";

/**
 * Everything recorded about one run: the processing_stats row (flags as booleans), its actions
 * in order with before/after state parsed from JSON, its phases in order, its plugin metrics as
 * `{ plugin: { key: value } }` and its plugin errors. Accepts a full id or a unique prefix of at
 * least 4 characters; see resolveRunId for the errors.
 *
 * @example const run = await getRunDetail(db, "0194f3a2"); run.actions[0]?.after_state
 */
export async function getRunDetail(db: Db, idOrPrefix: string): Promise<RunDetail> {
  const id = await resolveRunId(db, idOrPrefix);
  // failure_reason is derived from error_message (for the failures view), not part of the record.
  const { failure_reason: _, ...row } = await db.selectFrom("processing_stats").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const [actions, phases, metrics, errors] = await Promise.all([
    db.selectFrom("action_results").selectAll().where("stats_id", "=", id).orderBy("seq").execute(),
    db.selectFrom("performance_metrics").selectAll().where("stats_id", "=", id).orderBy("seq").execute(),
    db.selectFrom("plugin_metrics").select("metrics").where("stats_id", "=", id).executeTakeFirst(),
    db.selectFrom("plugin_errors").select(["plugin", "hook", "code", "message"]).where("stats_id", "=", id).orderBy("id").execute(),
  ]);
  return {
    ...row,
    success: flag(row.success),
    video_transcode_skipped: flagOrNull(row.video_transcode_skipped),
    actions: actions.map(
      (a): RunAction => ({
        seq: a.seq,
        action_type: a.action_type,
        track_type: a.track_type,
        track_index: a.track_index,
        before_state: parseJson(a.before_state),
        after_state: parseJson(a.after_state),
        success: flag(a.success),
        duration_ms: a.duration_ms,
        rule_reference: a.rule_reference,
        message: a.message,
      }),
    ),
    phases: phases.map(({ id: _id, stats_id: _stats, ...phase }) => phase),
    plugin_metrics: decodeMetrics(metrics?.metrics),
    plugin_errors: errors,
  };
}

// Written by JSON.stringify in record.ts; a hand-edited value that no longer parses is shown as-is.
function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
