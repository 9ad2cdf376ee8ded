import { type CompiledQuery, type RawBuilder, type SelectQueryBuilder, sql } from "kysely";
import { dialectOf, type Db } from "../db/handle.ts";
import { compiledOnce } from "../db/compiled_once.ts";
import { genericPlan } from "../db/postgres/generic_plan.ts";

/** A row of a batch: its `tag` says which SELECT it came from. */
export type TaggedRow = { tag: number; key: string; at: string | null } & Record<string, unknown>;

// Loosely typed on purpose: the SELECTs of a batch read different tables into one row shape.
export type AnySelect = SelectQueryBuilder<any, any, any>;

/** What one SELECT of a batch gives: its key, an instant, values for (some of) the batch's columns. */
export interface Columns {
  key: RawBuilder<unknown>;
  at?: RawBuilder<unknown>;
  values?: Record<string, RawBuilder<unknown>>;
}

const NULL = sql`null`;

/**
 * SELECTs of one row shape run as ONE statement, a UNION ALL, each row tagged with the index of
 * its SELECT. On PostgreSQL a view's parts then cost one round trip, not one each (the server
 * plans and runs the same parts, in turn on one connection), and the statement is planned once
 * for any window (genericPlan: planning it for its values cost more than running it); SQLite
 * steps one statement instead of several. Every SELECT has the columns tag, key, at
 * and then `names` in that order (UNION ALL matches columns by position); a column a SELECT does
 * not give is null. Add first a SELECT that gives every column: PostgreSQL types a UNION pairwise
 * from the left, so two leading nulls would be typed text and clash with a later number.
 */
export class Batch {
  private readonly selects: BatchSelect[] = [];

  constructor(
    private readonly db: Db,
    private readonly names: readonly string[],
    /** False when a SELECT's plan for a window must be made for its values (a join whose generic estimate is far off). */
    private readonly planGenerically = true,
  ) {}

  /** Adds a SELECT; returns its tag. */
  add(select: BatchSelect): number {
    this.selects.push(select);
    return this.selects.length - 1;
  }

  /** Adds `from` (FROM, WHERE and GROUP BY set; null: no FROM, one row) selecting `columns`, built (a batch with one is compiled on every run); returns its tag. */
  addBuilt(from: AnySelect | null, columns: Columns): number {
    return this.add({ shape: null, values: [], build: () => [from, columns] });
  }

  /** Runs every SELECT added, in one statement; the rows of each, by tag (no statement when none was added). */
  async run(): Promise<TaggedRow[][]> {
    const statement = this.statement();
    return this.byTag(statement === null ? [] : (await this.db.executeQuery<TaggedRow>(statement)).rows);
  }

  /** The one statement of every SELECT added, to run alone (run) or with other reads (readTogether); null when none was added. */
  statement(): CompiledQuery | null {
    if (this.selects.length === 0) return null;
    const shapes = this.selects.map((select) => select.shape);
    const union = shapes.includes(null)
      ? this.compile()
      : compiledOnce(this.db, `batch of ${this.names.join()}\n${shapes.join("\n")}`, this.selects.flatMap((select) => select.values), () => this.compile());
    return this.planGenerically ? genericPlan(this.db, union) : union;
  }

  /** The rows of the statement, by tag. */
  byTag(rows: readonly Record<string, unknown>[]): TaggedRow[][] {
    const out: TaggedRow[][] = this.selects.map(() => []);
    for (const row of rows as TaggedRow[]) out[Number(row.tag)]!.push(row);
    return out;
  }

  private compile() {
    const [first, ...rest] = this.selects.map((select, tag) => {
      const [from, { key, at, values }] = select.build();
      // The expressions as they are (not wrapped): compiling a view's query is a good part of its cost.
      const selection = [sql.lit(tag).as("tag"), key.as("key"), (at ?? NULL).as("at"), ...valueColumns(this.db, this.names, values)];
      return from === null ? (this.db.selectNoFrom(selection as never) as AnySelect) : from.select(selection as never);
    });
    return rest.reduce((statement, select) => statement.unionAll(select), first!).compile();
  }
}

/** A SELECT of a batch, built only when the batch's statement is not compiled yet (compiled_once.ts). */
export interface BatchSelect {
  /** What its SQL says (tables, columns, which conditions), whatever its values; null when not told (the batch is then built and compiled every time). */
  shape: string | null;
  /** Its parameters, in the order of its SQL. */
  values: readonly unknown[];
  /** Its FROM, WHERE and GROUP BY (null: no FROM, one row), and the columns it selects. */
  build(): [AnySelect | null, Columns];
}

type Values = Columns["values"];
const NO_VALUES = {};
/** Per dialect, per `values` object (callers keep theirs: totalsAggregates builds each once), per list of names. */
const COMPILED_COLUMNS = new Map<string, WeakMap<object, Map<string, RawBuilder<unknown>[]>>>();

/**
 * The value columns of a SELECT, `names` in order (null where `values` has none), as ONE raw SQL
 * fragment compiled once: a totals SELECT has ~35 of them, and building and compiling those as
 * Kysely nodes for every part of every call was most of a view's time on PostgreSQL (the server
 * answers in under a millisecond). Columns that take parameters stay nodes (their values bound).
 */
function valueColumns(db: Db, names: readonly string[], values: Values): RawBuilder<unknown>[] {
  const dialect = dialectOf(db);
  const byValues = COMPILED_COLUMNS.get(dialect) ?? COMPILED_COLUMNS.set(dialect, new WeakMap()).get(dialect)!;
  const byNames = byValues.get(values ?? NO_VALUES) ?? byValues.set(values ?? NO_VALUES, new Map()).get(values ?? NO_VALUES)!;
  const id = names.join("\0");
  let columns = byNames.get(id);
  if (columns === undefined) {
    const aliased = names.map((name) => (values?.[name] ?? NULL).as(name));
    const compiled = names.length === 0 ? null : db.selectNoFrom(aliased).compile();
    columns = compiled === null || compiled.parameters.length > 0 ? (aliased as unknown as RawBuilder<unknown>[]) : [sql.raw(compiled.sql.replace(/^select /, ""))];
    byNames.set(id, columns);
  }
  return columns;
}
