/**
 * The `files` table: what the last scan (or processing run) learnt about each media file.
 * Paths are absolute; a directory root matches every path below it.
 */
import type { Db } from "../db/handle.ts";
import type { Selectable } from "kysely";
import type { FilesTable } from "../db/schema.ts";
import type { MediaInfo, MediaStream } from "../media.ts";

export type ScanStatus = FilesTable["scan_status"];

/** The columns an incremental scan compares against the disk. */
export interface KnownFile {
  id: number;
  path: string;
  size_bytes: number | null;
  modified_at: string | null;
  content_hash: string | null;
  scan_status: ScanStatus;
}

/** One file as a scan saw it: either introspected (`info`) or unreadable (`error`). */
export interface ScannedFile {
  path: string;
  sizeBytes: number;
  modifiedAt: string;
  contentHash: string | null;
  info?: MediaInfo;
  error?: string;
}

/** A stored file with its streams decoded. */
export interface FileEntry extends KnownFile {
  container: string | null;
  duration: number | null;
  bitrate: number | null;
  streams: MediaStream[] | null;
  scanned_at: string | null;
  scan_error: string | null;
}

/** `[from, to)` bounds of the paths at or below `root`. */
function bounds(root: string): [string, string] {
  const dir = root.endsWith("/") ? root : `${root}/`;
  return [dir, `${dir}\uffff`];
}

/** Every stored file at one of `roots` (a file path) or below it (a directory), keyed by path. */
export async function knownFilesUnder(db: Db, roots: readonly string[]): Promise<Map<string, KnownFile>> {
  const out = new Map<string, KnownFile>();
  for (const root of roots) {
    const [from, to] = bounds(root);
    const rows = await db
      .selectFrom("files")
      .select(["id", "path", "size_bytes", "modified_at", "content_hash", "scan_status"])
      .where((eb) => eb.or([eb("path", "=", root), eb.and([eb("path", ">=", from), eb("path", "<", to)])]))
      .execute();
    for (const row of rows) out.set(row.path, row);
  }
  return out;
}

function toRow(file: ScannedFile, now: string): Omit<FilesTable, "id"> {
  const info = file.info;
  return {
    path: file.path,
    size_bytes: file.sizeBytes,
    modified_at: file.modifiedAt,
    content_hash: file.contentHash,
    container: info?.container ?? null,
    duration: info?.durationSeconds ?? null,
    bitrate: info?.bitRate ?? null,
    streams: info ? JSON.stringify(info.streams) : null,
    scanned_at: now,
    scan_status: info ? "ok" : "error",
    scan_error: info ? null : (file.error ?? "unreadable"),
  };
}

/** Inserts or updates scanned files in one transaction. */
export async function saveScannedFiles(db: Db, files: readonly ScannedFile[]): Promise<void> {
  if (files.length === 0) return;
  await db.transaction().execute((trx) => upsertFileRows(trx, files));
}

/** Inserts or updates scanned files' rows on `db` (a transaction the caller holds). */
export async function upsertFileRows(db: Db, files: readonly ScannedFile[]): Promise<void> {
  const now = new Date().toISOString();
  for (const file of files) {
    const row = toRow(file, now);
    const { path: _path, ...update } = row;
    await db.insertInto("files").values(row).onConflict((oc) => oc.column("path").doUpdateSet(update)).execute();
  }
}

/** Marks files as gone from disk; their rows and processing history stay. */
export async function markFilesMissing(db: Db, paths: readonly string[]): Promise<void> {
  for (let i = 0; i < paths.length; i += 500) {
    await db.updateTable("files").set({ scan_status: "missing" }).where("path", "in", paths.slice(i, i + 500)).execute();
  }
}

/** Deletes file rows; runs keep their file_path (file_id becomes null). */
export async function deleteFiles(db: Db, paths: readonly string[]): Promise<void> {
  for (let i = 0; i < paths.length; i += 500) {
    await db.deleteFrom("files").where("path", "in", paths.slice(i, i + 500)).execute();
  }
}

/** Moves a file's row to a new path (after a container change renamed the file). */
export async function renameFile(db: Db, from: string, to: string): Promise<void> {
  if (from === to) return;
  await db.transaction().execute((trx) => moveFileRow(trx, from, to));
}

/** renameFile on `db` (a transaction the caller holds). */
export async function moveFileRow(db: Db, from: string, to: string): Promise<void> {
  if (from === to) return;
  await db.deleteFrom("files").where("path", "=", to).execute();
  await db.updateTable("files").set({ path: to }).where("path", "=", from).execute();
}

const toEntry = (row: Selectable<FilesTable>): FileEntry => ({ ...row, streams: row.streams ? (JSON.parse(row.streams) as MediaStream[]) : null });

/** One stored file by absolute path, or null. */
export async function getFileByPath(db: Db, path: string): Promise<FileEntry | null> {
  const row = await db.selectFrom("files").selectAll().where("path", "=", path).executeTakeFirst();
  return row ? toEntry(row) : null;
}

/** The stored files at one of `roots` (a file path) or below it (a directory), every file when none, by path. */
export async function listFiles(db: Db, roots: readonly string[] = []): Promise<FileEntry[]> {
  let query = db.selectFrom("files").selectAll().orderBy("path");
  if (roots.length > 0) {
    query = query.where((eb) =>
      eb.or(roots.flatMap((root) => {
        const [from, to] = bounds(root);
        return [eb("path", "=", root), eb.and([eb("path", ">=", from), eb("path", "<", to)])];
      })),
    );
  }
  return (await query.execute()).map(toEntry);
}
