/**
 * The log store's LogTape sink: records at `[logging] store_level` and above go to the database,
 * tied to their job and run (`vpo logs`). The sink only appends to a buffer — it never blocks
 * the code that logs — and writes the buffer in batches in the background. A database that
 * refuses the records costs one warning on stderr and the records; never the command.
 */
import type { LogRecord, Sink } from "@logtape/logtape";
import { type Db, errorMessage, insertLogRecords, type NewLogRecord } from "../core/mod.ts";

/** Most records waiting for the database; past it the oldest are dropped (and counted). */
const MAX_BUFFERED = 10_000;
const FLUSH_DELAY_MS = 200;
const MAX_PROPERTIES = 8_192;
const MAX_MESSAGE = 16_384;
const CONTEXT_COLUMNS = ["job_id", "run_id", "file", "node", "plugin"] as const;

export interface LogStoreSink {
  /** The LogTape sink (filter it by level with withFilter). */
  sink: Sink;
  /** Starts writing to `db` (what was logged before is written too). */
  attach(db: Db, o: { node?: string | null }): void;
  /** Writes what is buffered now. */
  flush(): Promise<void>;
  /** Flushes and stops writing to the database (call before closing it). */
  detach(): Promise<void>;
  /** Records dropped (buffer full, database refused). */
  readonly dropped: number;
}

function text(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === "string" ? value : String(value);
}

/** The record's properties other than the context columns, as bounded JSON (errors as their message). */
function propertiesOf(record: LogRecord): string | null {
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record.properties)) {
    if ((CONTEXT_COLUMNS as readonly string[]).includes(key)) continue;
    rest[key] = value instanceof Error ? value.message : value;
  }
  if (Object.keys(rest).length === 0) return null;
  let json: string;
  try {
    json = JSON.stringify(rest, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
  } catch {
    json = JSON.stringify({ unserializable: Object.keys(rest) });
  }
  return json.length > MAX_PROPERTIES ? JSON.stringify({ truncated: json.slice(0, MAX_PROPERTIES - 50) }) : json;
}

/** One record as a row of log_records. */
export function toLogRow(record: LogRecord, node: string | null): NewLogRecord {
  const message = record.message.map((part) => (typeof part === "string" ? part : part instanceof Error ? part.message : JSON.stringify(part) ?? String(part))).join("");
  const level = record.level === "trace" ? "debug" : record.level;
  return {
    at: new Date(record.timestamp).toISOString(),
    level,
    category: record.category.join("."),
    message: message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message,
    job_id: text(record.properties.job_id),
    run_id: text(record.properties.run_id),
    file: text(record.properties.file),
    node: text(record.properties.node) ?? node,
    plugin: text(record.properties.plugin),
    properties: propertiesOf(record),
  };
}

export function createLogStoreSink(o: { warn?: (text: string) => void } = {}): LogStoreSink {
  const warn = o.warn ?? ((line: string) => void process.stderr.write(line));
  let buffer: NewLogRecord[] = [];
  let db: Db | null = null;
  let node: string | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let writing: Promise<void> = Promise.resolve();
  let dropped = 0;
  let warned = false;

  const write = async () => {
    if (!db || buffer.length === 0) return;
    const batch = buffer;
    buffer = [];
    try {
      await insertLogRecords(db, batch);
    } catch (error) {
      dropped += batch.length;
      if (!warned) {
        warned = true;
        warn(`vpo: the log store cannot write to the database (${errorMessage(error)}); log records go to stderr and the log file only\n`);
      }
    }
  };
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    writing = writing.then(write);
    return writing;
  };
  const later = () => {
    if (timer || !db) return;
    timer = setTimeout(() => void flush(), FLUSH_DELAY_MS);
    timer.unref?.();
  };

  return {
    sink(record) {
      buffer.push(toLogRow(record, node));
      if (buffer.length > MAX_BUFFERED) {
        buffer.shift();
        dropped++;
      }
      later();
    },
    attach(target, a) {
      db = target;
      node = a.node ?? null;
      warned = false;
      later();
    },
    flush,
    async detach() {
      await flush();
      db = null;
    },
    get dropped() {
      return dropped;
    },
  };
}
