/** Test-only: a database as an older vpo left it, for the tests of a migration. */
import { Database as Sqlite } from "bun:sqlite";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import type { TestDialect } from "../../../tests/dialects.ts";
import { type Migration, migrationContext } from "./_types.ts";

/** A new database with `migrations` applied and recorded, then `fill`ed; its location. */
export async function oldDatabase(dialect: TestDialect, migrations: Migration[], fill: (db: Kysely<any>) => Promise<void>): Promise<string> {
  const location = await dialect.newLocation();
  const old = dialect.name === "sqlite"
    ? new Kysely<any>({ dialect: new SqliteDialect({ database: new Sqlite(location) as never }) })
    : new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: location, max: 1 }) }) });
  try {
    await old.transaction().execute(async (trx) => {
      for (const m of migrations) await m.up(trx, migrationContext(dialect.name));
      await trx.schema.createTable("schema_migrations").addColumn("version", "integer", (c) => c.primaryKey()).addColumn("name", "text").addColumn("applied_at", "text").execute();
      await trx.insertInto("schema_migrations").values(migrations.map((m) => ({ version: m.version, name: m.name, applied_at: "2026-01-01T00:00:00.000Z" }))).execute();
      await fill(trx);
    });
  } finally {
    await old.destroy();
  }
  return location;
}
