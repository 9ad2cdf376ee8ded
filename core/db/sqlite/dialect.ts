import type { Database as SqliteDatabase, Statement } from "bun:sqlite";
import { CompiledQuery, type DatabaseConnection, type Driver, SqliteDialect, SqliteDriver } from "kysely";

/**
 * Kysely's own SQLite dialect over bun:sqlite, with two changes:
 * - every transaction begins IMMEDIATE, taking the write lock up front (waiting up to
 *   busy_timeout). A plain BEGIN that reads and then writes would fail at once with "database is
 *   locked" in WAL mode when another process holds the lock, ignoring busy_timeout;
 * - prepared statements are reused (a bounded cache), rather than compiled again for every query.
 */
export class VpoSqliteDialect extends SqliteDialect {
  readonly #sqlite: SqliteDatabase;
  readonly #immediate: boolean;

  constructor(sqlite: SqliteDatabase, options: { immediate: boolean }) {
    super({ database: cachingPrepare(sqlite) as never });
    this.#sqlite = sqlite;
    this.#immediate = options.immediate;
  }

  override createDriver(): Driver {
    const driver = super.createDriver() as SqliteDriver;
    if (this.#immediate) {
      driver.beginTransaction = async (connection: DatabaseConnection) => {
        await connection.executeQuery(CompiledQuery.raw("begin immediate"));
      };
    }
    return driver;
  }

  get sqlite(): SqliteDatabase {
    return this.#sqlite;
  }
}

const CACHED_STATEMENTS = 256;

/**
 * The database object Kysely's driver calls `prepare` on, with compiled statements kept in a
 * small LRU. Kysely runs one query at a time on the connection (its mutex), so a statement is never
 * used by two queries at once.
 */
function cachingPrepare(sqlite: SqliteDatabase) {
  const cache = new Map<string, Statement>();
  return {
    prepare(sql: string): Statement {
      let stmt = cache.get(sql);
      if (stmt) {
        cache.delete(sql);
      } else {
        stmt = sqlite.prepare(sql);
        if (cache.size >= CACHED_STATEMENTS) {
          const [oldest, evicted] = cache.entries().next().value!;
          cache.delete(oldest);
          evicted.finalize();
        }
      }
      cache.set(sql, stmt);
      return stmt;
    },
    close() {
      for (const stmt of cache.values()) stmt.finalize();
      cache.clear();
      sqlite.close();
    },
  };
}
