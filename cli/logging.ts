import { AsyncLocalStorage } from "node:async_hooks";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import {
  configure, type FormattedValues, getJsonLinesFormatter, getTextFormatter, type LogLevel, type LogRecord, type Sink, type TextFormatter, withFilter,
} from "@logtape/logtape";
import type { Config, Db } from "../core/mod.ts";
import { createLogStoreSink } from "../monitor/log_store.ts";
import { sqliteFileAt } from "./sqlite_file.ts";
import { writeErr } from "./stdio.ts";

type LoggingConfig = NonNullable<Config["logging"]>;

/** Context keys worth repeating on a text line when the message does not already show them. */
const CONTEXT_KEYS = ["job_id", "run_id", "file", "node", "plugin"] as const;

/** `key=value` for the context properties the message template does not interpolate. */
function contextSuffix(record: LogRecord): string {
  const template = record.rawMessage;
  const parts = CONTEXT_KEYS.filter((k) => record.properties[k] != null && !(typeof template === "string" && template.includes(`{${k}}`)))
    .map((k) => `${k}=${String(record.properties[k])}`);
  return parts.length ? ` (${parts.join(" ")})` : "";
}

/** Text for people: `2026-01-31T12:00:00.000Z [WRN] vpo.capture: message (job_id=… file=…)`, UTC. */
export const textFormatter: TextFormatter = getTextFormatter({
  timestamp: "rfc3339",
  category: ".",
  value: "bare",
  format: ({ timestamp, level, category, message, record }: FormattedValues) =>
    `${timestamp} [${level}] ${category}: ${message}${contextSuffix(record)}`,
});

/** JSON lines for machines: `@timestamp` (UTC), `level`, `message`, `logger`, and `context` with every property. */
export const jsonFormatter: TextFormatter = getJsonLinesFormatter({ categorySeparator: ".", properties: "nest:context" });

/** One context store for the process: a reconfiguration (hot reload) keeps the contexts in force. */
const contexts = new AsyncLocalStorage<Record<string, unknown>>();
/** The log store's sink lives as long as the process: it survives reconfiguration, and its buffer with it. */
const store = createLogStoreSink();
const RANK: Record<string, number> = { debug: 0, info: 1, warning: 2, error: 3 };

/**
 * From now on, records at `[logging] store_level` and above also go to this database (vpo logs),
 * (`[retention] logs_days` deletes old ones). Call `detachLogStore` before closing it.
 */
export function attachLogStore(db: Db, o: { node?: string | null }): void {
  store.attach(db, o);
}

/** Writes what the log store holds and stops writing to the database. */
export function detachLogStore(): Promise<void> {
  return store.detach();
}

export interface LoggingStreams {
  /** Where console logs and the one-time warning go (default: stderr). */
  stderr?: (text: string) => void;
  /**
   * Categories (`vpo.engine.runs`) of records that repeat what the command prints itself: kept
   * off stderr at the warning and error levels, shown from info down.
   */
  reported?: readonly string[];
}

/**
 * Routes every `vpo.*` log category to stderr (text for people, JSON lines with `json`) and,
 * when `file` is set, to a file rotated at `max_bytes` keeping `backup_count` old files.
 * A log file that cannot be opened costs one warning on stderr; logging goes on there.
 * `withContext({ job_id, file, plugin, run_id }, fn)` from @logtape/logtape adds context to every
 * record logged inside `fn`.
 */
export async function configureLogging(options: LoggingConfig, streams: LoggingStreams = {}): Promise<void> {
  const write = streams.stderr ?? writeErr;
  const formatter = options.json ? jsonFormatter : textFormatter;
  const level = (options.level ?? "warning") as LogLevel;
  const storeLevel = options.store_level ?? "warning";
  const reported = new Set(level === "warning" || level === "error" ? (streams.reported ?? []) : []);
  const console: Sink = (record) => {
    if (reported.size && reported.has(record.category.join("."))) return;
    write(formatter(record));
  };
  const sinks: Record<string, Sink> = { stderr: withFilter(console, level) };
  if (options.file) {
    try {
      // Log lines appended to a database (`--log-file ~/.vpo/library.db`) would damage it.
      const database = sqliteFileAt(options.file);
      if (database) throw new Error(`it is ${database === options.file ? "" : "part of "}the SQLite database "${database}"`);
      mkdirSync(dirname(options.file), { recursive: true });
      const { getRotatingFileSink } = await import("@logtape/file"); // only when a log file is asked for
      sinks.file = withFilter(getRotatingFileSink(options.file, {
        formatter,
        maxSize: options.max_bytes,
        maxFiles: options.backup_count ?? 3,
        // Unbuffered: the CLI exits with process.exit, which would drop a buffer.
        bufferSize: 0,
      }), level);
    } catch (error) {
      write(`warning: cannot open log file "${options.file}" (${(error as Error).message}); logging to stderr only\n`);
    }
  }
  if (storeLevel !== "off") sinks.store = withFilter(store.sink, storeLevel as LogLevel);
  // The lower of the two levels: records the store keeps are made even when stderr shows fewer.
  const lowest = storeLevel !== "off" && RANK[storeLevel]! < RANK[level]! ? (storeLevel as LogLevel) : level;
  await configure({
    reset: true,
    sinks,
    contextLocalStorage: contexts,
    loggers: [
      { category: ["vpo"], sinks: Object.keys(sinks), lowestLevel: lowest },
      { category: ["logtape", "meta"], sinks: ["stderr"], lowestLevel: "warning" },
    ],
  });
}
