/**
 * Incremental library scan: files whose size and mtime match the stored row are skipped without
 * running ffprobe; new and changed files are introspected into `files`; files gone from disk are
 * marked missing (or deleted with prune). Each scan is a `scan` job row with its summary.
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { createJob, type Db, takeLibrarySnapshot, errorMessage, knownFilesUnder, markFilesMissing, deleteFiles, type ProbeFn, saveScannedFiles, type ScannedFile, updateJob } from "../core/mod.ts";
import { partialHash } from "../core/mod.ts";
import { DEFAULT_EXTENSIONS, type DiscoveredFile, discoverMediaFiles } from "./discover.ts";

export interface ScanOptions {
  paths: readonly string[];
  /** Re-introspect every file, changed or not. */
  full?: boolean;
  /** Delete rows of missing files instead of marking them. */
  prune?: boolean;
  /** Re-hash unchanged-looking files and re-introspect those whose partial hash changed. */
  verifyHash?: boolean;
  extensions?: readonly string[];
  /** ffprobe calls at once (default 4). */
  concurrency?: number;
  signal?: AbortSignal;
  /** `[libraries]`: each library the scan reaches gets today's composition snapshot. */
  libraries?: Record<string, string>;
  /** The clock snapshots are dated by (tests move it). */
  now?: () => Date;
  /** Called after each introspected file. */
  onFile?: (event: { path: string; error: string | null; done: number; total: number }) => void;
}

export interface ScanSummary {
  job_id: string;
  discovered: number;
  skipped: number;
  scanned: number;
  added: number;
  removed: number;
  errors: number;
  error_files: { path: string; error: string }[];
  duration_seconds: number;
  interrupted: boolean;
}

const BATCH = 200;

/** Runs `fn` over `items` with at most `limit` in flight, stopping early when `signal` aborts. */
async function eachLimited<T>(items: readonly T[], limit: number, signal: AbortSignal | undefined, fn: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal?.aborted) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/** Scans `paths` into the files table. */
export async function runScan(db: Db, probe: ProbeFn, o: ScanOptions): Promise<ScanSummary> {
  const started = performance.now();
  const { roots, files } = discoverMediaFiles(o.paths, o.extensions ?? DEFAULT_EXTENSIONS);
  const job = await createJob(db, { type: "scan", files_total: files.length });
  const known = await knownFilesUnder(db, roots);
  const toScan: { file: DiscoveredFile; isNew: boolean; hash?: string }[] = [];
  let skipped = 0;
  for (const file of files) {
    const row = known.get(file.path);
    const unchanged = row && row.scan_status !== "missing" && row.size_bytes === file.size && row.modified_at === new Date(file.mtimeMs).toISOString();
    if (!unchanged || o.full) {
      toScan.push({ file, isNew: !row || row.scan_status === "missing" });
      continue;
    }
    if (o.verifyHash) {
      const hash = await partialHash(file.path).catch(() => null);
      if (hash !== row.content_hash) {
        toScan.push({ file, isNew: false, hash: hash ?? undefined });
        continue;
      }
    }
    skipped++;
  }

  const errorFiles: ScanSummary["error_files"] = [];
  let pending: ScannedFile[] = [];
  let done = 0;
  let added = 0;
  await eachLimited(toScan, o.concurrency ?? 4, o.signal, async ({ file, hash, isNew }) => {
    const entry: ScannedFile = { path: file.path, sizeBytes: file.size, modifiedAt: new Date(file.mtimeMs).toISOString(), contentHash: null };
    try {
      entry.info = await probe(file.path);
    } catch (error) {
      entry.error = errorMessage(error);
      errorFiles.push({ path: file.path, error: entry.error });
    }
    entry.contentHash = hash ?? (await partialHash(file.path).catch(() => null));
    pending.push(entry);
    if (isNew) added++;
    done++;
    o.onFile?.({ path: file.path, error: entry.error ?? null, done, total: toScan.length });
    if (pending.length >= BATCH) {
      const batch = pending;
      pending = [];
      await saveScannedFiles(db, batch);
    }
  });
  await saveScannedFiles(db, pending);

  const onDisk = new Set(files.map((f) => f.path));
  const gone = [...known.values()].filter((row) => !onDisk.has(row.path) && goneFromDisk(row.path));
  const newlyGone = gone.filter((row) => row.scan_status !== "missing").map((row) => row.path);
  if (o.prune) await deleteFiles(db, gone.map((row) => row.path));
  else await markFilesMissing(db, newlyGone);

  const interrupted = o.signal?.aborted === true;
  // A completed scan dates what the library held: one snapshot a day, the day's last scan wins.
  if (!interrupted) await snapshotLibraries(db, roots, o.libraries ?? {}, (o.now ?? (() => new Date()))());
  const summary: ScanSummary = {
    job_id: job.id,
    discovered: files.length,
    skipped,
    scanned: done,
    added,
    removed: o.prune ? gone.length : newlyGone.length,
    errors: errorFiles.length,
    error_files: errorFiles,
    duration_seconds: (performance.now() - started) / 1000,
    interrupted,
  };
  await updateJob(db, job.id, {
    status: interrupted ? "cancelled" : "completed",
    files_affected: summary.scanned + summary.removed,
    error: summary.errors > 0 ? `${summary.errors} file(s) could not be read` : interrupted ? "Interrupted" : null,
    summary: { ...summary, error_files: errorFiles.slice(0, 50) },
  });
  return summary;
}

/**
 * Is a known file no longer there? Not being found by this scan is not enough: a file of another
 * extension (`--ext mp4`), below a hidden or unreadable directory, is still on disk, and marking
 * it missing (or pruning its row) would be a wrong record.
 */
function goneFromDisk(path: string): boolean {
  try {
    return !statSync(path).isFile();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ENOTDIR";
  }
}

/** Is `a` at or below `b`? */
const within = (a: string, b: string) => a === b || a.startsWith(b.endsWith("/") ? b : `${b}/`);

/**
 * Snapshots of every file known (library "") and of each configured library the scanned roots
 * reach (a root inside the library, or the library inside a root).
 */
async function snapshotLibraries(db: Db, roots: readonly string[], libraries: Record<string, string>, now: Date): Promise<void> {
  await takeLibrarySnapshot(db, "", null, now);
  for (const [name, root] of Object.entries(libraries)) {
    const base = resolve(root);
    if (roots.some((r) => within(r, base) || within(base, r))) await takeLibrarySnapshot(db, name, base, now);
  }
}
