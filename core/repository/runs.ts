import type { Selectable, SelectQueryBuilder } from "kysely";
import type { Db } from "../db/handle.ts";
import type { Database, FilesTable, ProcessingStatsTable } from "../db/schema.ts";
import { VpoError } from "../errors.ts";
import { checkLimit, flag, flagOrNull, runFilter } from "./_filters.ts";
import type { FileHistoryOptions, FileProcessingHistory, RecentRun, RecentRunsOptions } from "./views.ts";

type StatsRow = Selectable<ProcessingStatsTable>;

const HISTORY_COLUMNS = [
  "id", "processed_at", "policy_name", "size_before", "size_after", "size_change",
  "audio_tracks_removed", "subtitle_tracks_removed", "attachments_removed",
  "duration_seconds", "success", "error_message", "encoder_type",
] as const;

export const RECENT_COLUMNS = [
  ...HISTORY_COLUMNS, "file_path", "status", "video_source_codec", "video_target_codec", "video_transcode_skipped",
] as const;

/**
 * The latest runs, newest first (ties broken by id, which is time-ordered for UUIDv7),
 * optionally of one policy. `limit` defaults to 20.
 */
export async function getRecentRuns(db: Db, options: RecentRunsOptions = {}): Promise<RecentRun[]> {
  const rows = await recentRunsQuery(db, options).execute();
  return rows.map(toRecent);
}

/** A run as the run lists show it (recent runs, the search's pages). */
export function toRecent(row: Pick<StatsRow, (typeof RECENT_COLUMNS)[number]>): RecentRun {
  return {
    ...toHistory(row),
    file_path: row.file_path,
    status: row.status,
    video_source_codec: row.video_source_codec,
    video_target_codec: row.video_target_codec,
    video_transcode_skipped: flagOrNull(row.video_transcode_skipped),
  };
}

/**
 * The query behind getRecentRuns. No index holds both processed_at and id, so ORDER BY
 * processed_at DESC, id DESC alone makes SQLite sort the whole table (~370 ms at a million runs).
 * The limit-th newest instant is found on the processed_at index first, and only the runs from
 * that instant on are sorted; ties at the boundary are all included before the limit applies, so
 * the result is the same.
 */
export function recentRunsQuery(db: Db, options: RecentRunsOptions = {}) {
  const limit = checkLimit(options.limit) ?? 20;
  const ofPolicy = <Q extends SelectQueryBuilder<Database, "processing_stats", object>>(qb: Q): Q => qb.where(runFilter({}, options)) as Q;
  const boundary = ofPolicy(db.selectFrom("processing_stats").select("processed_at")).orderBy("processed_at", "desc").limit(1).offset(limit - 1);
  return ofPolicy(db.selectFrom("processing_stats").select(RECENT_COLUMNS))
    // Fewer runs than the limit: no boundary, every run qualifies.
    .where((eb) => eb("processed_at", ">=", eb.fn.coalesce(boundary, eb.val(""))))
    .orderBy("processed_at", "desc")
    .orderBy("id", "desc")
    .limit(limit);
}

/**
 * Every run of one file, newest first: by the exact path recorded on the run, by files.id, or
 * both (a run must then match both). Runs are kept when the files row is rescanned or removed,
 * so looking up by path finds history the inventory has forgotten.
 *
 * @example await getFileHistory(db, { path: "/media/movies/a.mkv", limit: 10 })
 */
export async function getFileHistory(db: Db, options: FileHistoryOptions): Promise<FileProcessingHistory[]> {
  const { path, fileId } = options;
  if (path === undefined && fileId === undefined) {
    throw new VpoError("INVALID_ARGUMENT", "File history needs a path or a file id");
  }
  const limit = checkLimit(options.limit);
  const rows = await db
    .selectFrom("processing_stats")
    .select(HISTORY_COLUMNS)
    .$if(path !== undefined, (qb) => qb.where("file_path", "=", path!))
    .$if(fileId !== undefined, (qb) => qb.where("file_id", "=", fileId!))
    .orderBy("processed_at", "desc")
    .orderBy("id", "desc")
    .$if(limit !== undefined, (qb) => qb.limit(limit!))
    .execute();
  // No runs of a file id that names no file at all: the id is wrong, not the history empty.
  if (rows.length === 0 && fileId !== undefined && !(await db.selectFrom("files").select("id").where("id", "=", fileId).executeTakeFirst())) {
    throw new VpoError("NOT_FOUND", `No file with id ${fileId}`);
  }
  return rows.map(toHistory);
}

/** The files row for an exact path, or undefined when the library has never seen it. */
export async function findFile(db: Db, path: string): Promise<Selectable<FilesTable> | undefined> {
  return db.selectFrom("files").selectAll().where("path", "=", path).executeTakeFirst();
}

function toHistory(row: Pick<StatsRow, (typeof HISTORY_COLUMNS)[number]>): FileProcessingHistory {
  return {
    stats_id: row.id,
    processed_at: row.processed_at,
    policy_name: row.policy_name,
    size_before: row.size_before,
    size_after: row.size_after,
    size_change: row.size_change,
    audio_removed: row.audio_tracks_removed,
    subtitle_removed: row.subtitle_tracks_removed,
    attachments_removed: row.attachments_removed,
    duration_seconds: row.duration_seconds,
    success: flag(row.success),
    error_message: row.error_message,
    encoder_type: row.encoder_type,
  };
}
