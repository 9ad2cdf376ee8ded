import { Database as SqliteDatabase } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Kysely, SqliteDialect } from "kysely";
import { VpoError, errorMessage } from "../errors.ts";
import { migrateToLatest } from "./migrations.ts";
import type { Database } from "./schema.ts";

export type Db = Kysely<Database>;

export interface OpenedDatabase {
  db: Db;
  path: string;
  close(): Promise<void>;
}

/**
 * Opens (creating if needed) the SQLite database at `path`, sets WAL, foreign keys and a
 * busy timeout, and migrates it to the current schema.
 */
export async function openDatabase(path: string): Promise<OpenedDatabase> {
  const location = path === ":memory:" ? path : resolve(path);
  let sqlite: SqliteDatabase;
  try {
    if (location !== ":memory:") mkdirSync(dirname(location), { recursive: true });
    sqlite = new SqliteDatabase(location, { create: true, strict: true });
    // busy_timeout first: switching to WAL takes a lock that a concurrent opener may hold.
    sqlite.exec("PRAGMA busy_timeout = 5000");
    sqlite.exec("PRAGMA journal_mode = WAL");
    sqlite.exec("PRAGMA foreign_keys = ON");
    sqlite.exec("PRAGMA synchronous = NORMAL");
  } catch (error) {
    throw new VpoError("DB_ERROR", `Cannot open database "${location}": ${errorMessage(error)}`, { cause: error });
  }
  // Kysely's own dialect works over bun:sqlite directly (DESIGN.md §7).
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite as never }) });
  try {
    // BEGIN IMMEDIATE takes the write lock up front (waiting up to busy_timeout), so two
    // processes never both read "version 0" and both create the tables. Kysely's SQLite driver
    // runs on this same single connection, so the migration statements fall inside it.
    await migrateToLatest(db, location, async (fn) => {
      sqlite.exec("BEGIN IMMEDIATE");
      try {
        await fn();
        sqlite.exec("COMMIT");
      } catch (error) {
        sqlite.exec("ROLLBACK");
        throw error;
      }
    });
  } catch (error) {
    await db.destroy();
    if (error instanceof VpoError) throw error;
    throw new VpoError("DB_ERROR", `Cannot prepare database "${location}": ${errorMessage(error)}`, { cause: error });
  }
  return { db, path: location, close: () => db.destroy() };
}
