import { rebuildRollups } from "../repository/_rollup.ts";
import type { DatabaseHandle } from "./handle.ts";
import { parseDatabaseLocation } from "./location.ts";
import { openSqlite } from "./sqlite/open.ts";

export type { DatabaseHandle, DialectCapabilities, Db } from "./handle.ts";
/** @deprecated name of DatabaseHandle, kept for callers written before PostgreSQL */
export type OpenedDatabase = DatabaseHandle;

/**
 * Opens the database at `location` — a SQLite file path, `sqlite:PATH` or `postgres://…` — and,
 * for writing (the default), creates and migrates it as needed. `access: "read"` is for commands
 * that only read: they never create, migrate or change a database, and refuse one that is not
 * vpo's.
 *
 * @example const { db, close } = await openDatabase("~/.vpo/library.db", { access: "read" });
 */
export async function openDatabase(location: string, options: { access?: "read" | "write" } = {}): Promise<DatabaseHandle> {
  const where = parseDatabaseLocation(location);
  const opts = { access: options.access ?? "write", rebuildRollups };
  if (where.dialect === "sqlite") return openSqlite(where.path, opts);
  // Loaded only when used: SQLite users never pay for the pg driver.
  const { openPostgres } = await import("./postgres/open.ts");
  return openPostgres(where.url, opts);
}
