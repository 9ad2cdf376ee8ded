/**
 * Finding media files under the paths a user gives: by extension, recursively, skipping hidden
 * entries (vpo's own temp files are hidden) and `.orig.` backups that `--keep-backup` leaves.
 */
import { type Dirent, readdirSync, statSync } from "node:fs";
import { extname, join, resolve } from "node:path";
import { VpoError } from "../core/mod.ts";

/** Extensions scanned and processed unless told otherwise. */
export const DEFAULT_EXTENSIONS = ["mkv", "mp4", "m4v", "avi", "mov", "webm", "ts", "m2ts"] as const;

export interface DiscoveredFile {
  path: string;
  size: number;
  mtimeMs: number;
}

export interface Discovery {
  /** The given paths, absolute: what a scan treats as "the library" when looking for missing files. */
  roots: string[];
  files: DiscoveredFile[];
}

/** "mkv, .MP4 *.ts" → ["mkv", "mp4", "ts"]. */
export function parseExtensions(list: string | readonly string[] | undefined): string[] {
  if (list === undefined) return [...DEFAULT_EXTENSIONS];
  // Spaces separate too ("mkv mp4"), and a glob's "*." is dropped: each matched no file and the scan found nothing.
  const items = (typeof list === "string" ? list.split(/[\s,]+/) : list).map((e) => e.trim().replace(/^\*?\./, "").toLowerCase()).filter(Boolean);
  if (items.length === 0) throw new VpoError("INVALID_ARGUMENT", `Invalid extension list ${JSON.stringify(list)}: expected e.g. "mkv,mp4"`);
  const odd = items.find((e) => !/^[a-z0-9]+$/.test(e));
  if (odd !== undefined) throw new VpoError("INVALID_ARGUMENT", `Invalid extension "${odd}" in ${JSON.stringify(list)}: expected letters and digits, separated by commas, e.g. "mkv,mp4"`);
  return [...new Set(items)];
}

const isBackup = (name: string) => /\.orig\.[^.]+$/i.test(name);

function walk(dir: string, wanted: Set<string>, out: DiscoveredFile[]): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return; // unreadable directory: nothing to find there
  }
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      walk(path, wanted, out);
      continue;
    }
    if (!entry.isFile() && !entry.isSymbolicLink()) continue;
    if (!wanted.has(extname(entry.name).slice(1).toLowerCase()) || isBackup(entry.name)) continue;
    try {
      const s = statSync(path); // follows symlinks to files; links to directories are not walked
      if (s.isFile()) out.push({ path, size: s.size, mtimeMs: s.mtimeMs });
    } catch {
      // vanished or dangling link
    }
  }
}

/** A path given as a media file that is a device, FIFO or socket: there is nothing to read (a FIFO would block for good). */
export const notRegularFile = (path: string): VpoError =>
  new VpoError("INVALID_ARGUMENT", `"${path}" is not a regular file (a device, FIFO or socket): there is no media file to read`);

/**
 * Lists media files at `paths` (files are taken as given, directories walked). A path that
 * does not exist is an error (VpoError FILE_NOT_FOUND), before anything is read.
 */
export function discoverMediaFiles(paths: readonly string[], extensions: readonly string[] = DEFAULT_EXTENSIONS): Discovery {
  if (paths.length === 0) throw new VpoError("INVALID_ARGUMENT", "No paths given: name at least one file or directory");
  const wanted = new Set(extensions);
  const roots = paths.map((p) => resolve(p));
  const files: DiscoveredFile[] = [];
  for (const root of roots) {
    let s;
    try {
      s = statSync(root);
    } catch {
      throw new VpoError("FILE_NOT_FOUND", `No such file or directory: "${root}"`);
    }
    if (s.isDirectory()) walk(root, wanted, files);
    else if (!s.isFile()) throw notRegularFile(root);
    else files.push({ path: root, size: s.size, mtimeMs: s.mtimeMs });
  }
  const seen = new Set<string>();
  return { roots, files: files.filter((f) => !seen.has(f.path) && seen.add(f.path)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
}
