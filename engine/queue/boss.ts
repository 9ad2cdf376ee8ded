/**
 * The job queue: pg-boss on the same PostgreSQL database as the runs. pg-boss does the queueing —
 * leases renewed by heartbeats, a lapsed lease retried elsewhere, limited retries, one job per
 * file (singleton keys on an `exclusive` queue) — vpo only says what a job is and what to do.
 */
import { getLogger } from "@logtape/logtape";
import type { PgBoss } from "pg-boss";
import { errorMessage, parseDatabaseLocation, type QueueRef, VpoError } from "../../core/mod.ts";
import { QUEUE_NAME, QUEUE_SCHEMA } from "./job.ts";

const log = getLogger(["vpo", "queue"]);

/** The queue's timings and retries (`[queue]` in the config; seconds). */
export interface QueueSettings {
  /** A worker's lease: renewed every half of it; once it lapses the job goes to another worker. */
  heartbeatSeconds: number;
  /** How often lapsed leases are looked for. */
  checkIntervalSeconds: number;
  retryLimit: number;
  retryDelaySeconds: number;
  /** How long a worker stopped by SIGTERM lets its files finish before it stops them. */
  stopTimeoutSeconds: number;
}

/** The defaults users get (README "Several machines"). */
export const DEFAULT_QUEUE_SETTINGS: QueueSettings = { heartbeatSeconds: 30, checkIntervalSeconds: 10, retryLimit: 2, retryDelaySeconds: 30, stopTimeoutSeconds: 60 };

/** A job may stay active this long at most (pg-boss's limit): a file that takes longer fails. */
const MAX_ACTIVE_SECONDS = 24 * 3600;

/** What each job is sent with: the lease, retries, and how long it may run. */
export function jobOptions(s: QueueSettings) {
  return { heartbeatSeconds: s.heartbeatSeconds, retryLimit: s.retryLimit, retryDelay: s.retryDelaySeconds, expireInSeconds: MAX_ACTIVE_SECONDS };
}

export interface Queue {
  boss: PgBoss;
  ref: QueueRef;
  settings: QueueSettings;
  close(): Promise<void>;
}

/** The database URL the queue lives in; SQLite is refused (exit 2), saying the queue needs PostgreSQL. */
export function queueUrl(location: string, command: string): string {
  const where = parseDatabaseLocation(location);
  if (where.dialect !== "postgres") {
    throw new VpoError(
      "INVALID_ARGUMENT",
      `${command} needs a PostgreSQL database: the job queue lives there, shared by every machine. This command uses the SQLite database "${location}"; set [database] url = "postgres://…" in the config or pass --db postgres://…`,
    );
  }
  return where.url;
}

/**
 * Starts pg-boss on the database (installing its schema on first use) and makes sure vpo's queue
 * exists. `supervise` (workers) also looks for lapsed leases every check interval.
 */
export async function openQueue(url: string, settings: QueueSettings, options: { supervise?: boolean; name?: string } = {}): Promise<Queue> {
  // Loaded here, not with the engine: pg-boss and what it brings take a `vpo run` on SQLite longer than the run itself.
  const { PgBoss } = await import("pg-boss");
  const boss = new PgBoss({
    connectionString: url,
    schema: QUEUE_SCHEMA,
    application_name: `vpo-${options.name ?? "queue"}`,
    max: 4,
    supervise: options.supervise ?? false,
    schedule: false,
    superviseIntervalSeconds: settings.checkIntervalSeconds,
    monitorIntervalSeconds: settings.checkIntervalSeconds,
    registerInstance: false,
  });
  // pg-boss reports trouble it recovers from (a lost connection, a heartbeat that could not be sent) here.
  boss.on("error", (error) => log.warn("Job queue: {error}", { error: errorMessage(error) }));
  try {
    await boss.start();
    if (!(await boss.getQueue(QUEUE_NAME))) {
      await boss.createQueue(QUEUE_NAME, { policy: "exclusive", ...jobOptions(settings) }).catch(async (error) => {
        if (!(await boss.getQueue(QUEUE_NAME))) throw error; // created meanwhile by another machine: fine
      });
    }
  } catch (error) {
    await boss.stop({ graceful: false }).catch(() => {});
    throw new VpoError("DB_ERROR", `Cannot open the job queue in PostgreSQL: ${errorMessage(error)}`, { cause: error });
  }
  return { boss, ref: { schema: QUEUE_SCHEMA, name: QUEUE_NAME }, settings, close: () => boss.stop({ graceful: false, timeout: 5_000 }) };
}
