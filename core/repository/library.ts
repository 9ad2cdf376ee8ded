import type { Db } from "../db/handle.ts";
import { type CompositionCount, createCompositionCounter } from "../library_composition.ts";
import type { MediaStream } from "../media.ts";
import { num } from "./_filters.ts";

/** One readable file as composition counts it. */
export interface CompositionFile {
  path: string;
  size_bytes: number;
  container: string | null;
  streams: MediaStream[];
}

/** Files and bytes with one value of one dimension, on one day. */
export interface SnapshotRow {
  day: string;
  dimension: string;
  value: string;
  files: number;
  bytes: number;
}

/** `[from, to)` bounds of the paths below a directory root. */
function bounds(root: string): [string, string] {
  const dir = root.endsWith("/") ? root : `${root}/`;
  return [dir, `${dir}\uffff`];
}

/**
 * Every file the last scans read successfully (with its streams), below `root` (every file when null), in path
 * order, a page at a time so a library of any size is never held whole.
 */
export async function* readableFiles(db: Db, root: string | null, page = 2_000): AsyncGenerator<CompositionFile> {
  let after = "";
  for (;;) {
    // Rows a run or an import made without a scan have no streams: they say nothing of the media.
    let q = db.selectFrom("files").select(["path", "size_bytes", "container", "streams"]).where("scan_status", "=", "ok").where("streams", "is not", null).where("path", ">", after);
    if (root !== null) {
      const [from, to] = bounds(root);
      q = q.where("path", ">=", from).where("path", "<", to);
    }
    const rows = await q.orderBy("path").limit(page).execute();
    for (const row of rows) {
      yield { path: row.path, size_bytes: num(row.size_bytes), container: row.container, streams: row.streams ? (JSON.parse(row.streams) as MediaStream[]) : [] };
    }
    if (rows.length < page) return;
    after = rows.at(-1)!.path;
  }
}

/** Replaces the snapshot of `library` on `day` (at most one a day: the day's last scan wins). */
export async function saveLibrarySnapshot(db: Db, library: string, day: string, rows: Omit<SnapshotRow, "day">[], takenAt: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom("library_snapshots").where("library", "=", library).where("day", "=", day).execute();
    for (let i = 0; i < rows.length; i += 500) {
      await trx
        .insertInto("library_snapshots")
        .values(rows.slice(i, i + 500).map((r) => ({ library, day, taken_at: takenAt, ...r })))
        .execute();
    }
  });
}

/** Snapshot rows of a library, oldest day first; `latest` keeps only its last day. */
export async function getLibrarySnapshots(db: Db, library: string, options: { since?: string; until?: string; latest?: boolean } = {}): Promise<SnapshotRow[]> {
  let q = db.selectFrom("library_snapshots").select(["day", "dimension", "value", "files", "bytes"]).where("library", "=", library);
  if (options.latest) {
    q = q.where("day", "=", (eb) => eb.selectFrom("library_snapshots").select((e) => e.fn.max("day").as("d")).where("library", "=", library));
  }
  if (options.since) q = q.where("day", ">=", options.since.slice(0, 10));
  if (options.until) q = q.where("day", "<", options.until.slice(0, 10));
  const rows = await q.orderBy("day").orderBy("dimension").orderBy("files", "desc").orderBy("value").execute();
  return rows.map((r) => ({ ...r, files: num(r.files), bytes: num(r.bytes) }));
}

/** The libraries that have snapshots ("" = every file known). */
export async function snapshotLibraries(db: Db): Promise<string[]> {
  const rows = await db.selectFrom("library_snapshots").select("library").distinct().orderBy("library").execute();
  return rows.map((r) => r.library);
}

/**
 * Takes today's snapshot of a library (files below `root`; every file when `root` is null, under
 * the name ""), replacing one taken earlier the same UTC day. Returns the counts stored.
 */
export async function takeLibrarySnapshot(db: Db, library: string, root: string | null, now = new Date()): Promise<CompositionCount[]> {
  const counter = createCompositionCounter();
  for await (const file of readableFiles(db, root)) counter.add(file);
  const counts = counter.counts();
  await saveLibrarySnapshot(db, library, now.toISOString().slice(0, 10), counts, now.toISOString());
  return counts;
}
