import { type RawBuilder, sql } from "kysely";
import type { Db, RunRecordedEvent } from "../../core/mod.ts";

/** Upper bounds (seconds) of the run-duration histogram buckets. */
export const DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200] as const;

/** What the Prometheus counters hold for one (policy, status) pair. */
export interface RunTotals {
  policy: string;
  status: string;
  runs: number;
  size_before: number;
  size_after: number;
  audio_removed: number;
  subtitles_removed: number;
  attachments_removed: number;
  videos_transcoded: number;
  videos_skipped: number;
  audio_transcoded: number;
  duration_count: number;
  duration_sum: number;
  /** Runs with duration ≤ DURATION_BUCKETS[i], cumulative like Prometheus buckets. */
  duration_buckets: number[];
}

const sized = sql`size_before is not null and size_after is not null`;
const sum = (e: RawBuilder<unknown>) => sql<number>`coalesce(sum(${e}), 0)`;

const AGGREGATES = {
  runs: sql<number>`count(*)`,
  size_before: sum(sql`case when ${sized} then size_before else 0 end`),
  size_after: sum(sql`case when ${sized} then size_after else 0 end`),
  audio_removed: sum(sql.ref("audio_tracks_removed")),
  subtitles_removed: sum(sql.ref("subtitle_tracks_removed")),
  attachments_removed: sum(sql.ref("attachments_removed")),
  videos_transcoded: sum(sql`case when video_transcode_skipped = 0 then 1 else 0 end`),
  videos_skipped: sum(sql`case when video_transcode_skipped = 1 then 1 else 0 end`),
  audio_transcoded: sum(sql.ref("audio_tracks_transcoded")),
  duration_count: sql<number>`count(duration_seconds)`,
  duration_sum: sum(sql.ref("duration_seconds")),
  ...Object.fromEntries(DURATION_BUCKETS.map((le, i) => [`le_${i}`, sum(sql`case when duration_seconds <= ${sql.lit(le)} then 1 else 0 end`)])),
};

function toTotals(row: Record<string, unknown>): RunTotals {
  const n = (k: string) => Number(row[k] ?? 0);
  return {
    policy: String(row.policy_name),
    status: String(row.status),
    runs: n("runs"),
    size_before: n("size_before"),
    size_after: n("size_after"),
    audio_removed: n("audio_removed"),
    subtitles_removed: n("subtitles_removed"),
    attachments_removed: n("attachments_removed"),
    videos_transcoded: n("videos_transcoded"),
    videos_skipped: n("videos_skipped"),
    audio_transcoded: n("audio_transcoded"),
    duration_count: n("duration_count"),
    duration_sum: n("duration_sum"),
    duration_buckets: DURATION_BUCKETS.map((_, i) => n(`le_${i}`)),
  };
}

/**
 * Totals per (policy, status) over every stored run, and the highest rowid they include, read
 * in one snapshot: runs announced later with a higher rowid are new, the others already counted.
 */
export async function runTotalsSnapshot(db: Db): Promise<{ totals: RunTotals[]; maxRowid: number }> {
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom("processing_stats")
      .select(Object.entries(AGGREGATES).map(([name, e]) => (e as RawBuilder<unknown>).as(name)))
      .select(["policy_name", "status"])
      .groupBy(["policy_name", "status"])
      .execute();
    const max = await sql<{ m: number | null }>`select max(rowid) as m from processing_stats`.execute(trx);
    return { totals: rows.map((r) => toTotals(r as Record<string, unknown>)), maxRowid: Number(max.rows[0]?.m ?? 0) };
  });
}

/** A run stored after a snapshot: its rowid, its broadcast form and its contribution to the totals. */
export interface NewRun {
  rowid: number;
  event: RunRecordedEvent;
  totals: RunTotals;
}

/**
 * Runs with a rowid above `afterRowid`, oldest first: how runs written by another process (a
 * `vpo process` next to the server) are noticed. SQLite-specific (rowid), like the watcher using it.
 */
export async function runsAfterRowid(db: Db, afterRowid: number, limit = 10_000): Promise<NewRun[]> {
  const rows = await db
    .selectFrom("processing_stats")
    .select(Object.entries(AGGREGATES).map(([name, e]) => (e as RawBuilder<unknown>).as(name)))
    .select(["policy_name", "status", "id", "file_path", "processed_at", "success", sql<number>`rowid`.as("rowid")])
    .select(["size_before as run_size_before", "size_after as run_size_after", "size_change", "duration_seconds"])
    .where(sql<boolean>`rowid > ${afterRowid}`)
    .groupBy(sql`rowid`) // one row per group: the run's own contribution, through the same aggregates
    .orderBy(sql`rowid`)
    .limit(limit)
    .execute();
  return rows.map((r) => {
    const row = r as Record<string, unknown>;
    const event: RunRecordedEvent = {
      id: String(row.id),
      file_path: String(row.file_path),
      policy_name: String(row.policy_name),
      processed_at: String(row.processed_at),
      status: String(row.status),
      success: Number(row.success) === 1,
      size_before: (row.run_size_before as number | null) ?? null,
      size_after: (row.run_size_after as number | null) ?? null,
      size_change: (row.size_change as number | null) ?? null,
      duration_seconds: (row.duration_seconds as number | null) ?? null,
    };
    return { rowid: Number(row.rowid), event, totals: toTotals(row) };
  });
}

/** How many runs are stored, from the per-day rollup (a few thousand rows even at millions of runs). */
export async function rollupRunCount(db: Db): Promise<number> {
  const row = await db.selectFrom("stats_daily").select((eb) => eb.fn.coalesce(eb.fn.sum<number>("runs"), eb.lit(0)).as("n")).executeTakeFirst();
  return Number(row?.n ?? 0);
}
