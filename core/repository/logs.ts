/**
 * The log store: structured log records kept in the database, tied to their job and run, for
 * `vpo logs`, `vpo jobs show --logs`, `/api/logs` and the dashboard.
 */
import { sql } from "kysely";
import * as v from "valibot";
import type { Db } from "../db/handle.ts";
import type { LogRecordsTable } from "../db/monitoring_schema.ts";

/** Levels from least to most severe; a record's severity is its index here. */
export const LOG_STORE_LEVELS = ["debug", "info", "warning", "error", "fatal"] as const;
export type LogStoreLevel = (typeof LOG_STORE_LEVELS)[number];
export const logSeverity = (level: string): number => Math.max(0, LOG_STORE_LEVELS.indexOf(level as LogStoreLevel));

export type NewLogRecord = Omit<LogRecordsTable, "id" | "severity">;

/** One stored record as the CLI and the API return it. */
export const LogEntrySchema = v.object({
  id: v.number(),
  at: v.pipe(v.string(), v.description("UTC ISO-8601 datetime")),
  level: v.picklist(LOG_STORE_LEVELS),
  category: v.pipe(v.string(), v.description('Logger category, e.g. "vpo.engine"')),
  message: v.string(),
  job_id: v.nullable(v.string()),
  run_id: v.nullable(v.string()),
  file: v.nullable(v.string()),
  node: v.nullable(v.string()),
  plugin: v.nullable(v.string()),
  properties: v.pipe(v.record(v.string(), v.unknown()), v.description("The record's other structured properties")),
});
export type LogEntry = v.InferOutput<typeof LogEntrySchema>;

/** Stores records in one statement per batch of 200 (SQLite allows few bound parameters per statement). */
export async function insertLogRecords(db: Db, records: readonly NewLogRecord[]): Promise<void> {
  for (let i = 0; i < records.length; i += 200) {
    const batch = records.slice(i, i + 200).map((r) => ({ ...r, severity: logSeverity(r.level) }));
    await db.insertInto("log_records").values(batch).execute();
  }
}

export interface LogQuery {
  /** This level and above (default: every level). */
  level?: LogStoreLevel;
  since?: string;
  until?: string;
  jobId?: string;
  runId?: string;
  /** Text in the message or the file path (case-insensitive). */
  grep?: string;
  /** Only records after this id (following the store). */
  afterId?: number;
  /** The newest `limit` records (default 200), returned oldest first. */
  limit?: number;
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Stored records matching the query, oldest first. */
export async function queryLogs(db: Db, q: LogQuery = {}): Promise<LogEntry[]> {
  let query = db.selectFrom("log_records").selectAll();
  if (q.level) query = query.where("severity", ">=", logSeverity(q.level));
  if (q.since) query = query.where("at", ">=", q.since);
  if (q.until) query = query.where("at", "<", q.until);
  if (q.jobId) query = query.where("job_id", "=", q.jobId);
  if (q.runId) query = query.where("run_id", "=", q.runId);
  if (q.afterId !== undefined) query = query.where("id", ">", q.afterId);
  if (q.grep) {
    const pattern = `%${escapeLike(q.grep.toLowerCase())}%`;
    // An explicit ESCAPE: SQLite has no default escape character in LIKE, PostgreSQL's is "\\".
    query = query.where(sql<boolean>`(lower(message) like ${pattern} escape '\\' or lower(file) like ${pattern} escape '\\')`);
  }
  // Newest `limit` first, then turned oldest first: a log reads downwards.
  const following = q.afterId !== undefined;
  const rows = await query.orderBy("id", following ? "asc" : "desc").limit(q.limit ?? 200).execute();
  if (!following) rows.reverse();
  return rows.map(({ severity: _s, properties, ...r }) => ({
    ...r,
    id: Number(r.id),
    level: r.level as LogStoreLevel,
    properties: parseProperties(properties),
  }));
}

function parseProperties(text: string | null): Record<string, unknown> {
  if (!text) return {};
  try {
    const value = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}

/** Deletes records older than `before`; returns how many. */
export async function pruneLogs(db: Db, before: string): Promise<number> {
  const result = await db.deleteFrom("log_records").where("at", "<", before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
