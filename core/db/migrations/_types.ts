import { type ColumnDefinitionBuilder, type CreateTableBuilder, type Expression, type Kysely, sql } from "kysely";

export type DialectName = "sqlite" | "postgres";

/** What a migration needs to know of the dialect: column types that differ between SQLite and PostgreSQL. */
export interface MigrationContext {
  dialect: DialectName;
  /** 64-bit integers: SQLite's INTEGER is already 64-bit; PostgreSQL's integer is not. */
  bytes: "integer" | "bigint";
  /** Doubles: SQLite's REAL is already 8 bytes; PostgreSQL's real is 4. */
  seconds: "real" | "double precision";
  /**
   * Text compared byte by byte, as SQLite does: on PostgreSQL `collate "C"`, so ids and paths sort
   * and range-match (prefix lookups) the same on both, whatever the server's locale.
   */
  text: "text" | Expression<unknown>;
  /** Adds an auto-incrementing 64-bit primary key column. */
  autoId<T extends string, C extends string>(table: CreateTableBuilder<T, C>, name: string): CreateTableBuilder<T, C>;
}

export interface Migration {
  version: number;
  name: string;
  up(db: Kysely<any>, t: MigrationContext): Promise<void>;
  /** The rollup tables must be rebuilt from the runs once every migration has run. */
  rebuildsRollup?: true;
}

export function migrationContext(dialect: DialectName): MigrationContext {
  const sqlite = dialect === "sqlite";
  return {
    dialect,
    bytes: sqlite ? "integer" : "bigint",
    seconds: sqlite ? "real" : "double precision",
    text: sqlite ? "text" : sql`text collate "C"`,
    autoId: (table, name) =>
      sqlite
        ? table.addColumn(name, "integer", (c: ColumnDefinitionBuilder) => c.primaryKey().autoIncrement())
        : table.addColumn(name, "bigserial", (c: ColumnDefinitionBuilder) => c.primaryKey()),
  };
}

/** The key columns every rollup table starts with: (day, policy_name, library, node), "" for no library or node. */
export const withRollupKey = <T extends string, C extends string>(table: CreateTableBuilder<T, C>, t: MigrationContext) =>
  table
    .addColumn("day", t.text, (c) => c.notNull())
    .addColumn("policy_name", t.text, (c) => c.notNull())
    .addColumn("library", t.text, (c) => c.notNull())
    .addColumn("node", t.text, (c) => c.notNull());
