import { type CompiledQuery, createQueryId, RawNode } from "kysely";
import { dialectOf, type Db } from "./handle.ts";

/** Most bound parameters per statement: under SQLite's 32,766 and PostgreSQL's 65,535. */
const MAX_PARAMETERS = 30_000;

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
const texts = new Map<string, string>();

/** `insert into "t" ("a", "b") values (?, ?), …` for `rows` rows, made once per shape. */
function insertText(postgres: boolean, table: string, columns: readonly string[], rows: number, options: BulkInsertOptions): string {
  const ignore = options.ignoreConflictsOn;
  const merge = options.mergeConflictsOn;
  const key = `${postgres ? "pg" : "sqlite"}|${table}|${columns.join(",")}|${rows}|${ignore?.join(",") ?? ""}|${merge?.columns.join(",") ?? ""}|${merge?.set ?? ""}`;
  let text = texts.get(key);
  if (!text) {
    let p = 0;
    const tuple = () => `(${columns.map(() => (postgres ? `$${++p}` : "?")).join(", ")})`;
    text = `insert into ${quote(table)} (${columns.map(quote).join(", ")}) values ${Array.from({ length: rows }, tuple).join(", ")}`;
    if (ignore) text += ` on conflict (${ignore.map(quote).join(", ")}) do nothing`;
    if (merge) text += ` on conflict (${merge.columns.map(quote).join(", ")}) do update set ${merge.set}`;
    texts.set(key, text);
  }
  return text;
}

export interface BulkInsertOptions {
  /** Fewer rows per statement (the parameter limit is the most). */
  rowsPerStatement?: number;
  /** Called between statements (a server lets its event loop run there). */
  between?: () => Promise<void>;
  /** Rows that collide on these unique columns are left out (`on conflict … do nothing`). */
  ignoreConflictsOn?: readonly string[];
  /** Rows that collide on these unique columns update the stored row: `set` is the SQL of the update (may name `excluded`). */
  mergeConflictsOn?: { columns: readonly string[]; set: string };
}

/**
 * A compiled query of SQL text and its parameters. Not CompiledQuery.raw: that freezes the
 * parameter array, and freezing an array of tens of thousands of values costs more than
 * executing the insert (it was two thirds of an import's time).
 */
function rawQuery(text: string, parameters: unknown[]): CompiledQuery {
  return { sql: text, query: RawNode.createWithSql(text), parameters, queryId: createQueryId() };
}

/**
 * Inserts many rows in as few statements as the parameter limit allows, as SQL text made once per
 * shape: Kysely's builder makes a node per value, which costs more than the insert itself for tens
 * of thousands of rows. Values are bound, never interpolated. Runs on `db`, so inside a
 * transaction it is part of it; on SQLite a repeated statement is prepared once (the dialect's
 * statement cache).
 */
export async function bulkInsert(db: Db, table: string, columns: readonly string[], rows: readonly unknown[][], options: BulkInsertOptions = {}): Promise<void> {
  if (rows.length === 0) return;
  const postgres = dialectOf(db) === "postgres";
  const perStatement = Math.max(1, Math.min(options.rowsPerStatement ?? Number.POSITIVE_INFINITY, Math.floor(MAX_PARAMETERS / columns.length)));
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    await db.executeQuery(rawQuery(insertText(postgres, table, columns, chunk.length, options), chunk.flat()));
    await options.between?.();
  }
}

/**
 * `values` as a list of bound parameters, `($1, $2, …)` or `(?, ?, …)`, and its parameters, for
 * `where x in …` over thousands of keys (Kysely's builder makes and freezes a node per value).
 */
export async function selectIn<R>(db: Db, head: string, values: readonly unknown[]): Promise<R[]> {
  if (values.length === 0) return [];
  const postgres = dialectOf(db) === "postgres";
  const list = values.map((_, i) => (postgres ? `$${i + 1}` : "?")).join(", ");
  return (await db.executeQuery<R>(rawQuery(`${head} (${list})`, [...values]))).rows;
}
