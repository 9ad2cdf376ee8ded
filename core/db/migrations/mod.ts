import type { Kysely } from "kysely";
import { VpoError } from "../../errors.ts";
import type { Database } from "../schema.ts";
import { initialSchema } from "./001_initial.ts";
import { runsInFlight } from "./002_runs_in_flight.ts";
import { trustworthyRecord } from "./003_trust.ts";
import { detailRollups } from "./004_detail_rollups.ts";
import { reportsAndRetention } from "./005_reports_retention.ts";
import { queueMarkers } from "./006_queue.ts";
import { monitoring } from "./007_monitoring.ts";
import { monthRollups } from "./008_month_rollups.ts";
import { hourRollups } from "./009_hour_rollups.ts";
import { metricsRowPerRun } from "./010_metrics_row_per_run.ts";
import { phaseRollups } from "./011_phase_rollups.ts";
import { unscopedRollups } from "./012_unscoped_rollups.ts";
import { failureRollup } from "./013_failure_rollup.ts";
import { type DialectName, type Migration, migrationContext } from "./_types.ts";

/** Append-only list: never edit a released migration, add the next version. */
const MIGRATIONS: Migration[] = [
  initialSchema, runsInFlight, trustworthyRecord, detailRollups, reportsAndRetention, queueMarkers, monitoring, monthRollups, hourRollups, metricsRowPerRun, phaseRollups,
  unscopedRollups,
  failureRollup,
];

/** The schema version this build writes. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** The version of every migration this build knows, in order. */
export const MIGRATION_VERSIONS: readonly number[] = MIGRATIONS.map((m) => m.version);

/** The schema version a database is at (0 for one vpo never touched). */
export async function schemaVersion(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom("schema_migrations").select((eb) => eb.fn.max("version").as("v")).executeTakeFirst();
  return Number(row?.v ?? 0);
}

/** Runs `fn` while holding the database's write lock, so only one process migrates at a time. */
export type Exclusive = (fn: (db: Kysely<Database>) => Promise<void>) => Promise<void>;

export interface MigrateOptions {
  dialect: DialectName;
  /** Where the database is, for messages. */
  location: string;
  /** Takes the lock and gives the connection (a transaction) migrations run on. */
  exclusive: Exclusive;
  /** Rebuilds the rollups from the runs, on the same connection; called when a migration asks for it. */
  rebuildRollups(db: Kysely<Database>): Promise<void>;
}

export function tooNewError(location: string, current: number): VpoError {
  return new VpoError(
    "DB_TOO_NEW",
    `Database "${location}" has schema version ${current}, but this vpo understands up to ${LATEST_SCHEMA_VERSION}. Upgrade vpo, or point --db at another database.`,
  );
}

/**
 * Brings a database up to LATEST_SCHEMA_VERSION, all pending migrations in one transaction
 * under `exclusive` (SQLite's write lock, a PostgreSQL advisory lock), so a half-migrated
 * database never exists and several processes opening a new database at once migrate it once:
 * the version is read again under the lock. Refuses a database written by a newer vpo instead of
 * guessing at its schema.
 */
export async function migrateToLatest(db: Kysely<Database>, options: MigrateOptions): Promise<void> {
  // Fast path without the lock: an up-to-date database needs nothing.
  const known = await schemaVersion(db).catch(() => 0);
  if (known > LATEST_SCHEMA_VERSION) throw tooNewError(options.location, known);
  if (known === LATEST_SCHEMA_VERSION) return;
  const t = migrationContext(options.dialect);
  await options.exclusive(async (trx) => {
    await trx.schema
      .createTable("schema_migrations")
      .ifNotExists()
      .addColumn("version", "integer", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("applied_at", "text", (c) => c.notNull())
      .execute();
    const current = await schemaVersion(trx);
    if (current > LATEST_SCHEMA_VERSION) throw tooNewError(options.location, current);
    let rebuild = false;
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      await m.up(trx, t);
      rebuild ||= m.rebuildsRollup === true;
      await trx.insertInto("schema_migrations").values({ version: m.version, name: m.name, applied_at: new Date().toISOString() }).execute();
    }
    if (rebuild) await options.rebuildRollups(trx);
  });
}
