import { type Expression, expressionBuilder, type Selectable, type SqlBool, sql } from "kysely";
import type { Db } from "../db/handle.ts";
import type { Database, ProcessingStatsTable } from "../db/schema.ts";
import { VpoError } from "../errors.ts";
import { checkLimit, normalizeRange, runFilter } from "./_filters.ts";
import { RECENT_COLUMNS, toRecent } from "./runs.ts";
import type { RunListItem, RunPage, RunSearchOptions } from "./views.ts";

/** Page size when none is asked for, and the most one page may hold. */
export const RUN_SEARCH_DEFAULT_LIMIT = 50;
export const RUN_SEARCH_MAX_LIMIT = 200;

const COLUMNS = [...RECENT_COLUMNS, "library", "node"] as const;

/** Where a page ends: the last run's instant and id, the two keys the runs are ordered by. */
interface Position {
  at: string;
  id: string;
}

/** An opaque, URL-safe cursor for the page after `position`. */
export function encodeRunCursor(position: Position): string {
  return Buffer.from(`${position.at}|${position.id}`, "utf8").toString("base64url");
}

/** The position a cursor names; a cursor not made by encodeRunCursor is an INVALID_ARGUMENT. */
export function decodeRunCursor(cursor: string): Position {
  const text = /^[\w-]{1,400}$/.test(cursor) ? Buffer.from(cursor, "base64url").toString("utf8") : "";
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|([^\0|]+)$/.exec(text);
  if (!match) throw new VpoError("INVALID_ARGUMENT", `Invalid cursor "${cursor}": pass the next_cursor of a previous page unchanged`);
  return { at: match[1]!, id: match[2]! };
}

/**
 * `text` as a LIKE pattern matching it anywhere, with LIKE's own % and _ (and the escape
 * character) taken literally. ASCII letters are lowered here and the column is lowered in SQL:
 * both databases' lower() change only ASCII on these columns (PostgreSQL's collate C), so the
 * search is case-insensitive for ASCII, and exact otherwise, alike on SQLite and PostgreSQL.
 */
export function containsPattern(text: string): string {
  const lowered = text.replace(/[A-Z]/g, (c) => c.toLowerCase());
  return `%${lowered.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Later than any processed_at (they are all ISO instants of the same length). */
const END_OF_TIME = "9999-12-31T23:59:59.999Z";

/**
 * An upper bound on processed_at. Even when it bounds nothing (the first page), it makes SQLite
 * walk a processed_at index newest first and stop at the page's end, instead of scanning and
 * sorting every run when the other filters (status, q) cannot use an index: 600 ms → 5 ms for
 * the first page of failed runs out of a million.
 */
function noLaterThan(at: string): Expression<SqlBool> {
  return expressionBuilder<Database, "processing_stats">()("processed_at", "<=", at);
}

/** Runs strictly after `position` in newest-first order (older, or as old with a smaller id). */
function after(position: Position): Expression<SqlBool> {
  const eb = expressionBuilder<Database, "processing_stats">();
  return eb.and([noLaterThan(position.at), eb.or([eb("processed_at", "<", position.at), eb("id", "<", position.id)])]);
}

/**
 * One page of runs matching every given filter, newest first (ties by id, descending), and
 * whether older ones match too. Paged by keyset on (processed_at, id), not OFFSET, so the
 * thousandth page costs what the first does; a run recorded meanwhile never shifts a page.
 *
 * @example
 * const first = await searchRuns(db, { q: "s01e0", status: "failed", limit: 20 });
 * const second = await searchRuns(db, { q: "s01e0", status: "failed", limit: 20, cursor: first.next_cursor! });
 */
export async function searchRuns(db: Db, options: RunSearchOptions = {}): Promise<RunPage> {
  const limit = pageSize(options.limit);
  const rows = await runSearchQuery(db, options).execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const hasMore = rows.length > limit;
  return {
    runs: page.map(toItem),
    has_more: hasMore,
    next_cursor: hasMore && last ? encodeRunCursor({ at: last.processed_at, id: last.id }) : null,
  };
}

function pageSize(limit: number | undefined): number {
  const size = checkLimit(limit) ?? RUN_SEARCH_DEFAULT_LIMIT;
  if (size > RUN_SEARCH_MAX_LIMIT) throw new VpoError("INVALID_ARGUMENT", `Invalid limit "${size}": at most ${RUN_SEARCH_MAX_LIMIT} runs a page`);
  return size;
}

/** The query behind searchRuns: one row more than the page, which says whether another page follows. */
export function runSearchQuery(db: Db, options: RunSearchOptions = {}) {
  const position = options.cursor === undefined ? undefined : decodeRunCursor(options.cursor);
  const q = options.q ?? "";
  return db
    .selectFrom("processing_stats")
    .select(COLUMNS)
    .where(runFilter(normalizeRange(options), options))
    .$if(options.status !== undefined, (qb) => qb.where("status", "=", options.status!))
    .$if(q !== "", (qb) => qb.where(sql<SqlBool>`lower(file_path) like ${containsPattern(q)} escape '\\'`))
    .where(position === undefined ? noLaterThan(END_OF_TIME) : after(position))
    .orderBy("processed_at", "desc")
    .orderBy("id", "desc")
    .limit(pageSize(options.limit) + 1);
}

type Row = Pick<Selectable<ProcessingStatsTable>, (typeof COLUMNS)[number]>;

function toItem(row: Row): RunListItem {
  return { ...toRecent(row), library: row.library, node: row.node };
}
