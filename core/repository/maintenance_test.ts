import { expect, test } from "bun:test";
import { sql } from "kysely";
import { forEachDialect } from "../../tests/dialects.ts";
import { openDatabase } from "../db/open.ts";
import { VPO_TABLES } from "./maintenance.ts";

/**
 * `vpo db info`, `verify`, `backup` (PostgreSQL without pg_dump) and `copy` go table by table
 * through VPO_TABLES: a table a migration adds and the list forgets is left out of every backup.
 */
forEachDialect("maintenance", (dialect) => {
  test("VPO_TABLES names every table of a migrated database", async () => {
    const handle = await openDatabase(await dialect.newLocation());
    try {
      const { rows } = dialect.name === "postgres"
        ? await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(handle.db)
        : await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(handle.db);
      expect(rows.map((r) => r.name).sort()).toEqual([...VPO_TABLES].sort());
    } finally {
      await handle.close();
    }
  });
});
