import { CompiledQuery } from "kysely";
import { dialectOf, type Db } from "./handle.ts";

/**
 * Statements compiled once per shape. Building a view's queries with Kysely and compiling them cost
 * more CPU than PostgreSQL took to answer (a totals view: ~12 SELECTs, each a node tree frozen and
 * visited again on every call); the text is the same from call to call, only the values move.
 *
 * `shape` must name everything that makes the SQL text (tables, columns, which conditions, their
 * order); `values` are the statement's parameters in order. The first call of a shape builds it and
 * keeps its text when its parameters are `values` (a shape whose values are declared wrong is kept
 * not, and only slower); later calls reuse the text with their values. Under `bun test` every call
 * is built and checked, text and parameters, so that a shape that leaves something out fails there.
 * A reused statement is a raw one to the plugins of `db` (a query timer sees it, by its queryId).
 */
const TEXTS = new Map<string, string>();
/** Distinct shapes kept (a view has a few per window kind; past this the map starts again). */
const MAX_SHAPES = 2_000;
const CHECK = process.env.NODE_ENV === "test";

export function compiledOnce(db: Db, shape: string, values: readonly unknown[], build: () => CompiledQuery): CompiledQuery {
  const key = `${dialectOf(db)}\n${shape}`;
  const text = TEXTS.get(key);
  if (text !== undefined && !CHECK) {
    const query = CompiledQuery.raw(text, [...values]);
    db.getExecutor().transformQuery(query.query, query.queryId);
    return query;
  }
  const compiled = build();
  const same = compiled.parameters.length === values.length && compiled.parameters.every((p, i) => p === values[i]);
  if (CHECK && !same) throw new Error(`compiledOnce: the values declared for ${shape} are not the statement's parameters: ${JSON.stringify(values)} ≠ ${JSON.stringify(compiled.parameters)}`);
  if (CHECK && text !== undefined && text !== compiled.sql) throw new Error(`compiledOnce: the shape ${shape} compiled to another text:\n${text}\n≠\n${compiled.sql}`);
  if (same && text === undefined) {
    if (TEXTS.size >= MAX_SHAPES) TEXTS.clear();
    TEXTS.set(key, compiled.sql);
  }
  return compiled;
}
