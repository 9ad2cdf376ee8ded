import { type CompiledQuery, createQueryId, RawNode } from "kysely";
import { dialectOf, type Db } from "./handle.ts";

/** Most bound parameters per statement: under SQLite's 32,766 and PostgreSQL's 65,535. */
const MAX_PARAMETERS = 30_000;

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
const texts = new Map<string, string>();

/**
 * The insert of `rows` rows, made once per shape. SQLite: `insert into "t" ("a", "b") values
 * (?, ?), …`. PostgreSQL: the rows as one JSON parameter, typed by the table's own row type
 * (json_populate_recordset) — a statement of thousands of parameters cost the server more to parse
 * and plan than to insert, and the client to bind (one parameter also lifts the parameter limit).
 */
function insertText(postgres: boolean, table: string, columns: readonly string[], rows: number, options: BulkInsertOptions): string {
  const ignore = options.ignoreConflictsOn;
  const merge = options.mergeConflictsOn;
  const key = `${postgres ? "pg" : `sqlite|${rows}`}|${table}|${columns.join(",")}|${ignore?.join(",") ?? ""}|${merge?.columns.join(",") ?? ""}|${merge?.set ?? ""}`;
  let text = texts.get(key);
  if (!text) {
    const names = columns.map(quote).join(", ");
    const tuple = `(${columns.map(() => "?").join(", ")})`;
    text = postgres
      ? `insert into ${quote(table)} (${names}) select ${names} from json_populate_recordset(null::${quote(table)}, $1::json)`
      : `insert into ${quote(table)} (${names}) values ${Array.from({ length: rows }, () => tuple).join(", ")}`;
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
 * Most rows in one statement. Larger statements were no faster (6,000 rows took more CPU a row
 * than 1,000 in an import), and statement shapes stay few: a batch is cut into full statements of this size and a rest
 * of power-of-two sizes (512, 256, …, 1), so every shape is prepared once and the statement
 * cache and `texts` stay bounded however many batches an import stores.
 */
const MAX_ROWS = 1_024;

/**
 * Inserts many rows, up to MAX_ROWS (and the parameter limit) a statement, as SQL text made once per
 * shape: Kysely's builder makes a node per value, which costs more than the insert itself for tens
 * of thousands of rows. Values are bound, never interpolated. Runs on `db`, so inside a
 * transaction it is part of it; on SQLite a repeated statement is prepared once (the dialect's
 * statement cache).
 */
export async function bulkInsert(db: Db, table: string, columns: readonly string[], rows: readonly unknown[][], options: BulkInsertOptions = {}): Promise<void> {
  if (rows.length > 0) await bulkInsertValues(db, table, columns, rows.flat(), options);
}

/** bulkInsert of rows given as one flat array of values, row after row (no array per row). */
export async function bulkInsertValues(db: Db, table: string, columns: readonly string[], values: readonly unknown[], options: BulkInsertOptions = {}): Promise<void> {
  const width = columns.length;
  const total = values.length / width;
  if (total === 0) return;
  const postgres = dialectOf(db) === "postgres";
  const most = Math.max(1, Math.min(options.rowsPerStatement ?? MAX_ROWS, MAX_ROWS, postgres ? MAX_ROWS : Math.floor(MAX_PARAMETERS / width)));
  for (let row = 0; row < total; ) {
    const left = total - row;
    // PostgreSQL's text is the same for any number of rows: no power-of-two rest needed.
    const rows = left >= most ? most : postgres ? left : 2 ** Math.floor(Math.log2(left));
    const text = insertText(postgres, table, columns, rows, options);
    const slice = values.slice(row * width, (row + rows) * width);
    await db.executeQuery(rawQuery(text, postgres ? [rowsAsJson(columns, slice)] : slice));
    row += rows;
    await options.between?.();
  }
}

/**
 * Rows of flat values as the JSON array of objects json_populate_recordset reads. JSON has no
 * bigint (sent as its digits, which the column's type reads) and no NaN or infinity (refused
 * rather than stored as null).
 */
function rowsAsJson(columns: readonly string[], values: readonly unknown[]): string {
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < values.length; i += columns.length) {
    const row: Record<string, unknown> = {};
    for (let c = 0; c < columns.length; c++) {
      const value = values[i + c];
      if (typeof value === "number" && !Number.isFinite(value)) throw new Error(`cannot store ${value} in ${columns[c]}`);
      // A lone surrogate becomes U+FFFD, as the UTF-8 of a bound parameter made it (JSON would refuse it).
      row[columns[c]!] = typeof value === "bigint" ? value.toString() : typeof value === "string" && !value.isWellFormed() ? value.toWellFormed() : value;
    }
    rows.push(row);
  }
  return JSON.stringify(rows);
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
