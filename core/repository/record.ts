import { sql } from "kysely";
import type { Db } from "../db/open.ts";
import type { ProcessingStatsTable } from "../db/schema.ts";
import { normalizeRunRecord, type RunRecord } from "../record.ts";

const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));
const bool = (value: boolean | null) => (value === null ? null : value ? 1 : 0);

/** The processing_stats row of a normalised run. */
export function statsRow(run: RunRecord, fileId: number | null): ProcessingStatsTable {
  const { actions, phases, plugin_metrics, plugin_errors, ...columns } = run;
  return {
    ...columns,
    file_id: fileId,
    success: run.success ? 1 : 0,
    video_transcode_skipped: bool(run.video_transcode_skipped),
  };
}

/** Adds one run's contribution to the per-day, per-policy rollup. */
async function addToDaily(db: Db, run: RunRecord): Promise<void> {
  const sized = run.size_before != null && run.size_after != null;
  const values = {
    day: run.processed_at.slice(0, 10),
    policy_name: run.policy_name,
    runs: 1,
    successes: run.success ? 1 : 0,
    size_before: sized ? run.size_before! : 0,
    size_after: sized ? run.size_after! : 0,
    size_saved: sized ? run.size_change! : 0,
    audio_removed: run.audio_tracks_removed ?? 0,
    subtitles_removed: run.subtitle_tracks_removed ?? 0,
    attachments_removed: run.attachments_removed ?? 0,
    videos_transcoded: run.video_transcode_skipped === false ? 1 : 0,
    videos_skipped: run.video_transcode_skipped === true ? 1 : 0,
    audio_transcoded: run.audio_tracks_transcoded ?? 0,
    hardware_encodes: run.encoder_type === "hardware" ? 1 : 0,
    software_encodes: run.encoder_type === "software" ? 1 : 0,
    duration_sum: run.duration_seconds ?? 0,
    duration_count: run.duration_seconds == null ? 0 : 1,
    first_at: run.processed_at,
    last_at: run.processed_at,
  };
  const add = (col: keyof typeof values) => sql<number>`stats_daily.${sql.ref(col)} + excluded.${sql.ref(col)}`;
  await db
    .insertInto("stats_daily")
    .values(values)
    .onConflict((oc) =>
      oc.columns(["day", "policy_name"]).doUpdateSet({
        runs: add("runs"),
        successes: add("successes"),
        size_before: add("size_before"),
        size_after: add("size_after"),
        size_saved: add("size_saved"),
        audio_removed: add("audio_removed"),
        subtitles_removed: add("subtitles_removed"),
        attachments_removed: add("attachments_removed"),
        videos_transcoded: add("videos_transcoded"),
        videos_skipped: add("videos_skipped"),
        audio_transcoded: add("audio_transcoded"),
        hardware_encodes: add("hardware_encodes"),
        software_encodes: add("software_encodes"),
        duration_sum: add("duration_sum"),
        duration_count: add("duration_count"),
        first_at: sql<string>`min(stats_daily.first_at, excluded.first_at)`,
        last_at: sql<string>`max(stats_daily.last_at, excluded.last_at)`,
      }),
    )
    .execute();
}

async function fileIdFor(db: Db, path: string): Promise<number> {
  const existing = await db.selectFrom("files").select("id").where("path", "=", path).executeTakeFirst();
  if (existing) return existing.id;
  const inserted = await db
    .insertInto("files")
    .values({ path, scan_status: "ok", size_bytes: null, modified_at: null, content_hash: null, container: null, duration: null, bitrate: null, streams: null, scanned_at: null, scan_error: null })
    .returning("id")
    .executeTakeFirstOrThrow();
  return inserted.id;
}

/** One narrow row per metric: numbers and booleans (0/1) in `num`, strings in `text`. */
function metricRows(statsId: string, plugin: string, metrics: Record<string, unknown>) {
  return Object.entries(metrics).map(([key, value]) => ({
    stats_id: statsId,
    plugin,
    key,
    num: typeof value === "number" ? value : typeof value === "boolean" ? (value ? 1 : 0) : null,
    text: typeof value === "string" ? value : null,
  }));
}

/**
 * Stores one run — the stats row, its actions, phases, plugin metrics and plugin errors, and
 * the rollup — in a single transaction, so a run is either wholly recorded or not at all.
 * Accepts anything in the import format; it is validated and normalised first.
 */
export async function recordRun(db: Db, input: unknown): Promise<RunRecord> {
  const run = normalizeRunRecord(input);
  await db.transaction().execute((trx) => insertRun(trx, run));
  return run;
}

/** Stores several runs in one transaction: all or none. */
export async function recordRuns(db: Db, inputs: unknown[]): Promise<RunRecord[]> {
  const runs = inputs.map((input, i) => normalizeRunRecord(input, `Invalid run record at index ${i}`));
  await db.transaction().execute(async (trx) => {
    for (const run of runs) await insertRun(trx, run);
  });
  return runs;
}

async function insertRun(trx: Db, run: RunRecord): Promise<void> {
  const fileId = await fileIdFor(trx, run.file_path);
  await trx.insertInto("processing_stats").values(statsRow(run, fileId)).execute();
  if (run.actions.length) {
    await trx
      .insertInto("action_results")
      .values(
        run.actions.map((a, seq) => ({
          stats_id: run.id,
          seq,
          action_type: a.action_type,
          track_type: a.track_type ?? null,
          track_index: a.track_index ?? null,
          before_state: json(a.before_state),
          after_state: json(a.after_state),
          success: a.success ? 1 : 0,
          duration_ms: a.duration_ms ?? null,
          rule_reference: a.rule_reference ?? null,
          message: a.message ?? null,
        })),
      )
      .execute();
  }
  if (run.phases.length) {
    await trx
      .insertInto("performance_metrics")
      .values(
        run.phases.map((p, seq) => ({
          stats_id: run.id,
          seq,
          phase_name: p.phase_name,
          wall_time_seconds: p.wall_time_seconds ?? null,
          bytes_read: p.bytes_read ?? null,
          bytes_written: p.bytes_written ?? null,
          encoding_fps: p.encoding_fps ?? null,
          encoding_bitrate: p.encoding_bitrate ?? null,
        })),
      )
      .execute();
  }
  const metrics = Object.entries(run.plugin_metrics).flatMap(([plugin, m]) => metricRows(run.id, plugin, m));
  if (metrics.length) await trx.insertInto("plugin_metrics").values(metrics).execute();
  if (run.plugin_errors.length) {
    await trx
      .insertInto("plugin_errors")
      .values(run.plugin_errors.map((e) => ({ stats_id: run.id, ...e })))
      .execute();
  }
  await addToDaily(trx, run);
}
