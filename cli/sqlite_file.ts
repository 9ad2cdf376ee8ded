import { closeSync, openSync, readSync } from "node:fs";

const SQLITE_HEADER = "SQLite format 3\0";

/**
 * The SQLite database `path` is, or whose journal it is (`library.db-wal`): renamed over, the
 * record (`--output ~/.vpo/library.db`) or any other application's database would be lost.
 */
export function sqliteFileAt(path: string): string | undefined {
  const database = path.replace(/-(wal|shm|journal)$/, "");
  try {
    const fd = openSync(database, "r");
    try {
      const head = Buffer.alloc(SQLITE_HEADER.length);
      readSync(fd, head, 0, head.length, 0);
      return head.toString("latin1") === SQLITE_HEADER ? database : undefined;
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined; // nothing there (or unreadable): not a database we could harm by reading it
  }
}
