/**
 * What the queue commands share: the queue's settings from `[queue]`, the refusal of a SQLite
 * database (the queue needs PostgreSQL; exit 2, before anything is opened), and opening the
 * database and the queue together.
 */
import { type Config, databaseLocation, type Db, parseDatabaseLocation, VpoError } from "../core/mod.ts";
import { DEFAULT_QUEUE_SETTINGS, openQueue, type Queue, type QueueSettings, queueUrl, retryJobs } from "../engine/mod.ts";
import type { QueueControl } from "../server/mod.ts";
import { type CliContext, createContext, type GlobalValues, loadCliConfig } from "./context.ts";

/** `[queue]` of the config as the engine takes it. */
export function queueSettings(config: Config): QueueSettings {
  const q = config.queue ?? {};
  const d = DEFAULT_QUEUE_SETTINGS;
  return {
    heartbeatSeconds: q.heartbeat_seconds ?? d.heartbeatSeconds,
    checkIntervalSeconds: q.check_interval_seconds ?? d.checkIntervalSeconds,
    retryLimit: q.retry_limit ?? d.retryLimit,
    retryDelaySeconds: q.retry_delay_seconds ?? d.retryDelaySeconds,
    stopTimeoutSeconds: q.stop_timeout_seconds ?? d.stopTimeoutSeconds,
  };
}

/** The PostgreSQL URL of this invocation's database; exit 2 when it is SQLite (`command` names who needs it). */
export function requirePostgres(args: GlobalValues, command: string): string {
  return queueUrl(databaseLocation(loadCliConfig(args)), command);
}

/** Opens the database (for reading, unless `write`) and the queue, runs `use`, closes both. */
export async function withQueue<T>(
  args: GlobalValues,
  rawArgs: readonly string[],
  command: string,
  use: (queue: Queue, db: Db, ctx: CliContext) => Promise<T>,
  options: { write?: boolean } = {},
): Promise<T> {
  const url = requirePostgres(args, command);
  const ctx = await createContext(args, rawArgs, { plugins: false });
  const database = await ctx.open({ access: options.write ? "write" : "read" }).catch((error) => {
    if (error instanceof VpoError && error.code === "DB_MISSING") throw new VpoError("NO_STATS", `Nothing is queued: the database has no vpo tables yet (run vpo enqueue first)`);
    throw error;
  });
  try {
    const queue = await openQueue(url, queueSettings(ctx.config));
    try {
      return await use(queue, database.db, ctx);
    } finally {
      await queue.close();
    }
  } finally {
    await database.close();
  }
}

/**
 * What `vpo serve` may do to the queue (POST /api/queue/{id}/retry), on a PostgreSQL database:
 * pg-boss is started on the first retry, not before (a server that never retries never needs it).
 */
export function serverQueueControl(location: string, config: Config, db: Db): QueueControl | undefined {
  const where = parseDatabaseLocation(location);
  if (where.dialect !== "postgres") return undefined;
  let queue: Promise<Queue> | null = null;
  const open = () => (queue ??= openQueue(where.url, queueSettings(config), { name: "serve" }).catch((error) => {
    queue = null;
    throw error;
  }));
  return {
    retry: async (id) => retryJobs(await open(), db, { id }),
    async close() {
      await (await queue?.catch(() => null))?.close();
    },
  };
}
