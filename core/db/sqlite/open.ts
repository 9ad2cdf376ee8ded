import { Database as SqliteDatabase } from "bun:sqlite";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Kysely } from "kysely";
import { errorMessage, VpoError } from "../../errors.ts";
import type { DatabaseHandle, OpenOptions } from "../handle.ts";
import { LATEST_SCHEMA_VERSION, migrateToLatest, tooNewError } from "../migrations/mod.ts";
import type { Database } from "../schema.ts";
import { VpoSqliteDialect } from "./dialect.ts";

/** What SQLite can and cannot do, for the code that must differ. */
export const SQLITE_CAPABILITIES = {
  dialect: "sqlite",
  /** One writer at a time: feed rows are committed in `seq` order. */
  commitOrderedSequences: true,
  listenNotify: false,
  /** Largest number of bound parameters in one statement (SQLITE_MAX_VARIABLE_NUMBER). */
  maxParameters: 32_766,
} as const;

function fail(code: "DB_ERROR" | "DB_MISSING" | "DB_NOT_VPO", location: string, message: string, cause?: unknown): never {
  throw new VpoError(code, message.replace("{db}", `"${location}"`), cause === undefined ? undefined : { cause });
}

/** The user tables of a SQLite file and its vpo schema version (0 when it has none). */
function inspect(sqlite: SqliteDatabase): { tables: string[]; version: number } {
  const tables = sqlite
    .query<{ name: string }, []>("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
    .all()
    .map((r) => r.name);
  if (!tables.includes("schema_migrations")) return { tables, version: 0 };
  const row = sqlite.query<{ v: number | null }, []>("select max(version) as v from schema_migrations").get();
  return { tables, version: Number(row?.v ?? 0) };
}

/**
 * Opens a SQLite database. With `access: "write"` (the default) the file is created if needed,
 * switched to WAL and migrated. With `access: "read"` nothing is ever created, migrated or
 * written: a missing file, a file of another application (tables, but no vpo schema) and a vpo
 * database of another schema version are refused with a message naming the path.
 */
export async function openSqlite(path: string, options: OpenOptions): Promise<DatabaseHandle> {
  const location = path === ":memory:" ? path : resolve(path);
  const read = options.access === "read";
  if (location !== ":memory:") {
    if (!existsSync(location)) {
      if (read) fail("DB_MISSING", location, "No database at {db}: nothing has been recorded there (check --db, or [database] url)");
      mkdirSync(dirname(location), { recursive: true });
    } else if (statSync(location).isDirectory()) {
      fail("DB_ERROR", location, "Cannot open database {db}: it is a directory");
    }
  }
  let sqlite: SqliteDatabase;
  try {
    sqlite = read ? new SqliteDatabase(location, { readwrite: true, create: false, strict: true }) : new SqliteDatabase(location, { create: true, strict: true });
    // busy_timeout first: switching to WAL takes a lock that a concurrent opener may hold.
    sqlite.exec("PRAGMA busy_timeout = 10000");
    if (read) sqlite.exec("PRAGMA query_only = ON");
  } catch (error) {
    fail("DB_ERROR", location, `Cannot open database {db}: ${errorMessage(error)}`, error);
  }
  try {
    const { tables, version } = inspect(sqlite);
    if (read && tables.length === 0) fail("DB_MISSING", location, "Database {db} is empty: nothing has been recorded there");
    if (tables.length > 0 && version === 0) {
      fail("DB_NOT_VPO", location, `{db} is not a vpo database (it has tables ${tables.slice(0, 5).join(", ")}${tables.length > 5 ? ", …" : ""} but no vpo schema); it was left unchanged`);
    }
    if (version > LATEST_SCHEMA_VERSION) throw tooNewError(location, version);
    if (read && version !== LATEST_SCHEMA_VERSION) {
      fail("DB_ERROR", location, `Database {db} has schema version ${version}; this vpo reads version ${LATEST_SCHEMA_VERSION}. Upgrade it with: vpo db migrate --db ${location}`);
    }
    if (!read) {
      sqlite.exec("PRAGMA journal_mode = WAL");
      // Every commit is on disk when it returns: a run recorded, or a pending run written at the
      // commit point, survives a power cut. Batched imports pay one fsync per batch.
      sqlite.exec("PRAGMA synchronous = FULL");
    }
    sqlite.exec("PRAGMA foreign_keys = ON");
  } catch (error) {
    sqlite.close();
    if (error instanceof VpoError) throw error;
    fail("DB_ERROR", location, `Cannot open database {db}: ${errorMessage(error)}`, error);
  }
  const dialect = new VpoSqliteDialect(sqlite, { immediate: !read });
  const db = new Kysely<Database>({ dialect });
  if (!read) {
    try {
      await migrateToLatest(db, {
        dialect: "sqlite",
        location,
        // An IMMEDIATE transaction is the write lock: a concurrent opener waits, then sees the new version.
        exclusive: (fn) => db.transaction().execute(fn),
        rebuildRollups: options.rebuildRollups,
      });
    } catch (error) {
      await db.destroy();
      if (error instanceof VpoError) throw error;
      fail("DB_ERROR", location, `Cannot prepare database {db}: ${errorMessage(error)}`, error);
    }
  }
  return { db, dialect: "sqlite", location, capabilities: SQLITE_CAPABILITIES, sqlite, listen: (onChange) => watchDataVersion(sqlite, onChange), close: () => db.destroy() };
}

/**
 * Calls `onChange` soon after another connection commits: `PRAGMA data_version` changes only for
 * other connections' commits, and reading it every 250 ms costs next to nothing.
 */
function watchDataVersion(sqlite: SqliteDatabase, onChange: () => void, pollMs = 250): () => void {
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
  timer.unref?.();
  return () => clearInterval(timer);
}
