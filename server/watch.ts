import type { DatabaseHandle } from "../core/mod.ts";

/**
 * Calls `onChange` soon after another process commits to the database. SQLite: polls
 * `PRAGMA data_version` (it changes only for other connections' commits) every `pollMs`.
 * PostgreSQL: LISTEN/NOTIFY on the handle's listener. Returns the function that stops watching.
 */
export function watchDatabase(database: DatabaseHandle, onChange: () => void, pollMs = 250): () => void {
  if (database.listen) return database.listen(onChange);
  const sqlite = database.sqlite;
  if (!sqlite) return () => {};
  let version: number | undefined;
  const timer = setInterval(() => {
    try {
      const now = Number(sqlite.query<{ data_version: number }, []>("PRAGMA data_version").get()?.data_version);
      if (version !== undefined && now !== version) onChange();
      version = now;
    } catch {
      // closed under us during shutdown
    }
  }, pollMs);
  return () => clearInterval(timer);
}
