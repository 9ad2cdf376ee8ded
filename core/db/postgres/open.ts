import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import Cursor from "pg-cursor";
import { errorMessage, VpoError } from "../../errors.ts";
import type { DatabaseHandle, DialectCapabilities, OpenOptions } from "../handle.ts";
import { redact } from "../location.ts";
import { LATEST_SCHEMA_VERSION, migrateToLatest, tooNewError } from "../migrations/mod.ts";
import type { Database } from "../schema.ts";
import { prepareReads } from "./prepared.ts";
import { MIGRATION_LOCK } from "./locks.ts";

export const POSTGRES_CAPABILITIES: DialectCapabilities = {
  dialect: "postgres",
  // Transactions commit in any order: the feed is followed by transaction horizon, not by seq.
  commitOrderedSequences: false,
  listenNotify: true,
  maxParameters: 65_535,
};

/** The channel writers NOTIFY (core/repository/feed_write.ts) and servers LISTEN on. */
export const FEED_CHANNEL = "vpo_feed";


const INT8 = 20;
const NUMERIC = 1700;

/**
 * Numbers come back as numbers: sizes (int8) stay below 2^53 by MAX_BYTES, and counts summed
 * as numeric are far below it. Exact byte totals are read as text (core/repository/_rollup.ts).
 */
const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === INT8 || oid === NUMERIC) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as never);
  },
};

/**
 * Reads are prepared statements (prepared.ts), planned for their values on every call: a generic
 * plan costs a window by a guess (a two-year trend read 1.5× slower on one). Options of the URL
 * replace these (pg's rule), so they are left alone then; PGOPTIONS comes after, so it wins.
 */
function sessionOptions(url: string): string | undefined {
  let inUrl: string | null = null;
  try {
    inUrl = new URL(url).searchParams.get("options");
  } catch {}
  if (inUrl !== null) return undefined;
  return ["-c plan_cache_mode=force_custom_plan", process.env.PGOPTIONS].filter(Boolean).join(" ");
}

function connectionError(location: string, error: unknown): VpoError {
  const code = (error as { code?: string }).code;
  const why =
    code === "ECONNREFUSED" ? "connection refused (is the server running, and on that port?)"
    // The server's own words say which: a wrong password, or a role that does not exist.
    : code === "28P01" || code === "28000" ? `authentication failed: ${errorMessage(error)} (check the user and password)`
    : code === "3D000" ? "the database does not exist (create it first: createdb)"
    : code === "ENOTFOUND" ? "unknown host"
    : errorMessage(error);
  return new VpoError("DB_ERROR", `Cannot connect to PostgreSQL at ${location}: ${why}`, { cause: error });
}

/** The tables of the current schema and its vpo schema version (0 when it has none). */
async function inspect(db: Kysely<Database>): Promise<{ tables: string[]; version: number }> {
  const { rows } = await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = current_schema()`.execute(db);
  const tables = rows.map((r) => r.name);
  if (!tables.includes("schema_migrations")) return { tables, version: 0 };
  const row = await db.selectFrom("schema_migrations").select((eb) => eb.fn.max("version").as("v")).executeTakeFirst();
  return { tables, version: Number(row?.v ?? 0) };
}

/**
 * Opens a PostgreSQL database through Kysely's own PostgresDialect with a `pg` pool (and
 * `pg-cursor` for streams). Writers migrate it under an advisory lock, so concurrent first opens
 * migrate once; readers never change it and refuse a schema that is not vpo's.
 */
export async function openPostgres(url: string, options: OpenOptions): Promise<DatabaseHandle> {
  const location = redact(url);
  const pool = new pg.Pool({ connectionString: url, types, max: 10, connectionTimeoutMillis: 10_000, application_name: "vpo", options: sessionOptions(url) });
  // A client that loses its server must not crash the process, idle (the pool's "error") or
  // checked out between queries (its own "error": a worker holding a connection while PostgreSQL
  // restarts); the next query on it reports the loss, and the pool replaces it.
  pool.on("error", () => {});
  pool.on("connect", (client) => {
    client.on("error", () => {});
    prepareReads(client);
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool, cursor: Cursor }) });
  try {
    const { tables, version } = await inspect(db).catch((error) => {
      throw connectionError(location, error);
    });
    if (tables.length > 0 && version === 0) {
      throw new VpoError("DB_NOT_VPO", `"${location}" is not a vpo database (it has tables ${tables.slice(0, 5).join(", ")}${tables.length > 5 ? ", …" : ""} but no vpo schema); it was left unchanged`);
    }
    if (version > LATEST_SCHEMA_VERSION) throw tooNewError(location, version);
    if (options.access === "read") {
      if (tables.length === 0) throw new VpoError("DB_MISSING", `Database "${location}" is empty: nothing has been recorded there`);
      if (version !== LATEST_SCHEMA_VERSION) {
        throw new VpoError("DB_ERROR", `Database "${location}" has schema version ${version}; this vpo reads version ${LATEST_SCHEMA_VERSION}. Upgrade it with: vpo db migrate`);
      }
    } else {
      await migrateToLatest(db, {
        dialect: "postgres",
        location,
        exclusive: (fn) =>
          db.transaction().execute(async (trx) => {
            await sql`select ${MIGRATION_LOCK}`.execute(trx);
            await fn(trx);
          }),
        rebuildRollups: options.rebuildRollups,
      });
    }
  } catch (error) {
    await db.destroy();
    if (error instanceof VpoError) throw error;
    throw new VpoError("DB_ERROR", `Cannot prepare database "${location}": ${errorMessage(error)}`, { cause: error });
  }
  return {
    db,
    dialect: "postgres",
    location,
    capabilities: POSTGRES_CAPABILITIES,
    listen: (onChange) => listen(url, onChange),
    close: () => db.destroy(),
  };
}

/**
 * LISTENs on the feed channel on a connection of its own (a pooled one would be handed to other
 * queries), reconnecting after a lost connection; returns the function that stops listening.
 */
function listen(url: string, onChange: () => void): () => void {
  let stopped = false;
  let client: pg.Client | null = null;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const connect = async () => {
    if (stopped) return;
    const c = new pg.Client({ connectionString: url, application_name: "vpo-listen" });
    c.on("notification", () => onChange());
    c.on("error", () => {});
    c.on("end", () => {
      if (!stopped) retry = setTimeout(connect, 1_000);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${FEED_CHANNEL}`);
      client = c;
      onChange(); // whatever happened while not listening
    } catch {
      await c.end().catch(() => {});
    }
  };
  void connect();
  return () => {
    stopped = true;
    clearTimeout(retry);
    void client?.end().catch(() => {});
  };
}
