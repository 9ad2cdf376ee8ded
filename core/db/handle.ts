import type { Database as SqliteDatabase } from "bun:sqlite";
import { type Kysely, PostgresAdapter } from "kysely";
import type { DialectName } from "./migrations/_types.ts";
import type { Database } from "./schema.ts";

export type Db = Kysely<Database>;
export type { DialectName };

/** What a dialect can do, for the few places that must differ (core/db/sqlite, core/db/postgres). */
export interface DialectCapabilities {
  dialect: DialectName;
  /** Sequences are assigned in commit order (one writer at a time), so "seq > last seen" misses nothing. */
  commitOrderedSequences: boolean;
  /** LISTEN/NOTIFY wakes followers of the run feed at once. */
  listenNotify: boolean;
  /** Most bound parameters one statement may carry. */
  maxParameters: number;
}

export interface OpenOptions {
  /** "read" never creates, migrates or writes anything (default "write"). */
  access?: "read" | "write";
  /** Rebuilds the rollups from the runs; the repository's, called by migrations that ask for it. */
  rebuildRollups(db: Db): Promise<void>;
}

/** An open database: the Kysely instance and what the rest of vpo needs to know about it. */
export interface DatabaseHandle {
  db: Db;
  dialect: DialectName;
  /** The file path, or the URL without its password: for messages. */
  location: string;
  capabilities: DialectCapabilities;
  /** The raw SQLite connection (SQLite only): pragmas such as data_version. */
  sqlite?: SqliteDatabase;
  /**
   * Calls `onChange` soon after another process commits (SQLite: data_version; PostgreSQL:
   * LISTEN/NOTIFY on the run feed); returns the function that stops listening.
   */
  listen(onChange: () => void): () => void;
  close(): Promise<void>;
}

/** The dialect a Kysely instance (or transaction) speaks. */
export function dialectOf(db: Db): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? "postgres" : "sqlite";
}
