import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { sql } from "kysely";
import type { DatabaseHandle, Db } from "../db/handle.ts";
import { schemaVersion } from "../db/migrations/mod.ts";
import { openDatabase } from "../db/open.ts";
import { errorMessage, VpoError } from "../errors.ts";
import { num, type RollupTable } from "./_filters.ts";
import { rebuildRollups } from "./_rollup.ts";
import { retentionHorizon } from "./retention.ts";

/**
 * Database maintenance for `vpo db`: sizes and counts, optimisation, integrity checks and online
 * backups, on SQLite and PostgreSQL.
 */

/** The database to work on: its Kysely instance, dialect, and file path (SQLite) or URL. */
export type MaintenanceTarget = Pick<DatabaseHandle, "db" | "dialect" | "location">;

/** Every table vpo keeps, in an order that satisfies foreign keys (parents first). */
export const VPO_TABLES = [
  "schema_migrations", "files", "jobs", "nodes", "processing_stats", "action_results", "performance_metrics", "plugin_metrics", "plugin_errors",
  "stats_rollup", "codec_rollup", "metric_rollup", "phase_rollup", "stats_rollup_month", "codec_rollup_month", "metric_rollup_month", "phase_rollup_month",
  "stats_rollup_hour", "codec_rollup_hour", "metric_rollup_hour", "phase_rollup_hour", "stats_rollup_unscoped", "codec_rollup_unscoped", "metric_rollup_unscoped",
  "phase_rollup_unscoped", "stats_rollup_unscoped_month", "codec_rollup_unscoped_month", "metric_rollup_unscoped_month", "phase_rollup_unscoped_month", "failure_rollup", "failure_rollup_month", "failure_rollup_hour", "failure_rollup_unscoped", "failure_rollup_unscoped_month", "failure_repeats", "run_feed", "runs_in_flight", "library_snapshots", "reports", "retention_state",
  "alert_state", "alert_events", "alert_deliveries", "alert_silences", "log_records",
] as const;

export interface DatabaseInfo {
  dialect: string;
  location: string;
  schema_version: number;
  /** Bytes on disk (SQLite: the file and its WAL; PostgreSQL: the database). */
  size_bytes: number;
  tables: { name: string; rows: number; bytes: number | null }[];
  earliest_run: string | null;
  latest_run: string | null;
  runs_horizon: string | null;
  details_horizon: string | null;
}

/** Sizes and counts. */
export async function databaseInfo(handle: MaintenanceTarget): Promise<DatabaseInfo> {
  const { db } = handle;
  const tables: DatabaseInfo["tables"] = [];
  const sizes = new Map<string, number>();
  let size = 0;
  if (handle.dialect === "postgres") {
    const { rows } = await sql<{ name: string; bytes: string }>`select relname as name, pg_total_relation_size(c.oid)::text as bytes from pg_class c
      join pg_namespace n on n.oid = c.relnamespace where n.nspname = current_schema() and c.relkind = 'r'`.execute(db);
    for (const r of rows) sizes.set(r.name, Number(r.bytes));
    size = Number((await sql<{ s: string }>`select pg_database_size(current_database())::text as s`.execute(db)).rows[0]!.s);
  } else {
    const path = handle.location;
    for (const f of [path, `${path}-wal`]) if (existsSync(f)) size += statSync(f).size;
    try {
      const { rows } = await sql<{ name: string; bytes: number }>`select name, sum(pgsize) as bytes from dbstat group by name`.execute(db);
      for (const r of rows) sizes.set(r.name, Number(r.bytes));
    } catch {
      // dbstat is a compile-time option of SQLite; without it, table sizes are unknown.
    }
  }
  for (const name of VPO_TABLES) {
    const row = await db.selectFrom(name as never).select((eb) => eb.fn.countAll().as("n")).executeTakeFirst();
    tables.push({ name, rows: num((row as { n?: unknown } | undefined)?.n), bytes: sizes.get(name) ?? null });
  }
  const span = await db.selectFrom("processing_stats").select((eb) => [eb.fn.min("processed_at").as("first"), eb.fn.max("processed_at").as("last")]).executeTakeFirst();
  return {
    dialect: handle.dialect,
    location: handle.location,
    schema_version: await schemaVersion(db),
    size_bytes: size,
    tables,
    earliest_run: (span?.first as string | null) ?? null,
    latest_run: (span?.last as string | null) ?? null,
    runs_horizon: await retentionHorizon(db, "runs"),
    details_horizon: await retentionHorizon(db, "details"),
  };
}

/** Refreshes the planner's statistics and gives free pages back: SQLite PRAGMA optimize, ANALYZE, VACUUM; PostgreSQL VACUUM (ANALYZE). */
export async function optimizeDatabase(handle: MaintenanceTarget): Promise<string[]> {
  const done: string[] = [];
  if (handle.dialect === "postgres") {
    await sql`vacuum (analyze)`.execute(handle.db);
    done.push("VACUUM (ANALYZE)");
  } else {
    for (const statement of ["PRAGMA optimize", "ANALYZE", "VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)"]) {
      await sql.raw(statement).execute(handle.db);
      done.push(statement);
    }
  }
  return done;
}

export interface VerifyResult {
  ok: boolean;
  checks: { name: string; ok: boolean; detail: string }[];
}

const rollupRows = async (db: Db, fromDay: string | null, table: "stats_rollup" | "stats_rollup_hour" | "stats_rollup_month" = "stats_rollup") =>
  (await db.selectFrom(table).selectAll().$if(fromDay !== null, (q) => q.where("day", ">=", fromDay!)).orderBy("day").orderBy("policy_name").orderBy("library").orderBy("node").execute()).map((r) => JSON.stringify({ ...r, duration_sum: Number(Number(r.duration_sum).toPrecision(12)) }));

/**
 * The storage engine's own check (SQLite integrity_check and foreign_key_check; PostgreSQL amcheck
 * on every B-tree index when the extension can be had, else a full read of every table), then
 * vpo's: the daily and hourly rollups equal the rollups rebuilt from the runs (days before the
 * retention horizon excepted: their runs are gone), the month tier its days, the codec, metric and
 * phase rollups theirs, the unscoped twins of every day and month tier theirs, and no child row lost
 * its run.
 */
export async function verifyDatabase(handle: MaintenanceTarget): Promise<VerifyResult> {
  const { db } = handle;
  const checks: VerifyResult["checks"] = [];
  if (handle.dialect === "sqlite") {
    // A file damaged past what the check can read throws: that is its verdict, not an unexpected error.
    const integrity = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(db)
      .then(({ rows }) => rows.map((r) => r.integrity_check), (error: unknown) => [errorMessage(error)]);
    checks.push({ name: "SQLite integrity_check", ok: integrity.join() === "ok", detail: integrity.slice(0, 5).join("; ") });
    // vpo's own checks read a damaged file only to fail on it.
    if (integrity.join() !== "ok") return { checks, ok: false };
    const fk = (await sql`pragma foreign_key_check`.execute(db)).rows;
    checks.push({ name: "SQLite foreign_key_check", ok: fk.length === 0, detail: fk.length === 0 ? "ok" : `${fk.length} rows refer to missing parents` });
  } else {
    let amcheck = false;
    try {
      await sql`create extension if not exists amcheck`.execute(db);
      amcheck = true;
    } catch {
      amcheck = false;
    }
    if (amcheck) {
      const { rows } = await sql<{ index: string }>`select c.relname as index from pg_index i join pg_class c on c.oid = i.indexrelid
        join pg_namespace n on n.oid = c.relnamespace join pg_am a on a.oid = c.relam where n.nspname = current_schema() and a.amname = 'btree'`.execute(db);
      for (const { index } of rows) await sql`select bt_index_check(${index}::regclass, true)`.execute(db);
      checks.push({ name: "PostgreSQL amcheck (bt_index_check, heapallindexed)", ok: true, detail: `${rows.length} indexes checked` });
    } else {
      for (const table of VPO_TABLES) await sql`select count(*) from ${sql.table(table)}`.execute(db);
      checks.push({ name: "PostgreSQL full read", ok: true, detail: "amcheck could not be installed (needs a superuser); every table was read in full instead" });
    }
  }
  const orphans = [];
  for (const t of ["action_results", "performance_metrics", "plugin_metrics", "plugin_errors"] as const) {
    const row = await db.selectFrom(t).select((eb) => eb.fn.countAll().as("n")).where("stats_id", "not in", db.selectFrom("processing_stats").select("id")).executeTakeFirst();
    if (num(row?.n) > 0) orphans.push(`${t}: ${num(row?.n)}`);
  }
  checks.push({ name: "run details belong to runs", ok: orphans.length === 0, detail: orphans.length === 0 ? "ok" : orphans.join(", ") });
  const horizon = await retentionHorizon(db);
  const fromDay = horizon === null ? null : horizon.slice(0, 10);
  // The month holding the horizon is rebuilt too (from its daily rows): it is compared whole.
  const fromMonth = fromDay === null ? null : `${fromDay.slice(0, 7)}-01`;
  const kept = await rollupRows(db, fromDay);
  const keptMonths = await rollupRows(db, fromMonth, "stats_rollup_month");
  // Hour keys ("YYYY-MM-DDTHH") compare with a day as from its first hour.
  const keptHours = await rollupRows(db, fromDay, "stats_rollup_hour");
  // The detail rollups (codecs, metrics, phases), from the details' horizon on (metrics and phases go with the details).
  const detailsFrom = (await retentionHorizon(db, "details"))?.slice(0, 7) ?? null;
  const keptDetails = await detailRollupRows(db, detailsFrom);
  const keptUnscoped = await tierRows(db, UNSCOPED_TABLES, detailsFrom);
  let rebuilt: string[] = [];
  let rebuiltUnscoped: string[] = [];
  let rebuiltMonths: string[] = [];
  let rebuiltHours: string[] = [];
  let rebuiltDetails: string[] = [];
  const ROLLBACK = new Error("rollback");
  await db
    .transaction()
    .execute(async (trx) => {
      await rebuildRollups(trx);
      rebuilt = await rollupRows(trx, fromDay);
      rebuiltMonths = await rollupRows(trx, fromMonth, "stats_rollup_month");
      rebuiltHours = await rollupRows(trx, fromDay, "stats_rollup_hour");
      rebuiltDetails = await detailRollupRows(trx, detailsFrom);
      rebuiltUnscoped = await tierRows(trx, UNSCOPED_TABLES, detailsFrom);
      throw ROLLBACK;
    })
    .catch((error) => {
      if (error !== ROLLBACK) throw error;
    });
  const differ = (a: string[], b: string[]) => (a.length !== b.length ? Math.abs(a.length - b.length) : a.filter((r, i) => r !== b[i]).length);
  const differing = differ(rebuilt, kept);
  checks.push({ name: "daily totals agree with the runs", ok: differing === 0, detail: differing === 0 ? `${kept.length} rollup rows${fromDay ? ` from ${fromDay}` : ""}` : `${differing} rollup rows differ from the runs` });
  const differingMonths = differ(rebuiltMonths, keptMonths);
  checks.push({
    name: "monthly totals agree with the daily ones",
    ok: differingMonths === 0,
    detail: differingMonths === 0 ? `${keptMonths.length} month rows${fromMonth ? ` from ${fromMonth}` : ""}` : `${differingMonths} month rows differ from their days`,
  });
  const differingHours = differ(rebuiltHours, keptHours);
  checks.push({
    name: "hourly totals agree with the runs",
    ok: differingHours === 0,
    detail: differingHours === 0 ? `${keptHours.length} hour rows${fromDay ? ` from ${fromDay}` : ""}` : `${differingHours} hour rows differ from the runs`,
  });
  const differingDetails = differ(rebuiltDetails, keptDetails);
  checks.push({
    name: "codec, metric and phase totals agree with the runs",
    ok: differingDetails === 0,
    detail: differingDetails === 0 ? `${keptDetails.length} rollup rows${detailsFrom ? ` from ${detailsFrom}` : ""}` : `${differingDetails} rollup rows differ from the runs`,
  });
  const differingUnscoped = differ(rebuiltUnscoped, keptUnscoped);
  checks.push({
    name: "unscoped totals (views with no policy, library or node) agree with the runs",
    ok: differingUnscoped === 0,
    detail: differingUnscoped === 0 ? `${keptUnscoped.length} rollup rows${detailsFrom ? ` from ${detailsFrom}` : ""}` : `${differingUnscoped} rollup rows differ from the runs`,
  });
  return { ok: checks.every((c) => c.ok), checks };
}

/** Floating sums rounded (added in another order they differ in the last bits). */
const roundFloats = (row: Record<string, unknown>) =>
  JSON.stringify(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === "number" && !Number.isInteger(v) ? Number(v.toPrecision(12)) : v])));

/**
 * Every row of the detail rollups' day and month tiers, from the month `fromMonth` ("YYYY-MM") on
 * (compared as text, so the month holding the horizon is compared whole: a rebuild derives it again
 * from its days). Their hour tiers, as large as the runs' details, are left to the same code that
 * folds and rebuilds the stats rollup's hours, which the check above compares.
 */
const detailRollupRows = (db: Db, fromMonth: string | null) =>
  tierRows(db, (["codec_rollup", "metric_rollup", "phase_rollup", "failure_rollup"] as const).flatMap((base) => [base, `${base}_month` as const]), fromMonth);

/** The unscoped twins of every rollup's day and month tiers (a rebuild derives them again from the scoped rows). */
const UNSCOPED_TABLES = (["stats_rollup", "codec_rollup", "metric_rollup", "phase_rollup", "failure_rollup"] as const).flatMap((base) => [`${base}_unscoped`, `${base}_unscoped_month`] as const);

/** Every row of `tables` from the month `fromMonth` ("YYYY-MM") on, as sorted text. */
async function tierRows(db: Db, tables: readonly RollupTable[], fromMonth: string | null): Promise<string[]> {
  const out: string[] = [];
  for (const table of tables) {
    const rows = await db.selectFrom(table).selectAll().$if(fromMonth !== null, (q) => q.where("day", ">=", fromMonth!)).execute();
    out.push(...rows.map((r) => `${table} ${roundFloats(r as Record<string, unknown>)}`).sort());
  }
  return out;
}

/**
 * An online backup. SQLite: VACUUM INTO a new file (a consistent copy while others write).
 * PostgreSQL: pg_dump's custom format when pg_dump is on PATH and the target is not a .db file;
 * otherwise (or for a .db/.sqlite target) a logical copy of every vpo table into a new SQLite
 * database, which any vpo reads without PostgreSQL. Returns how it was made.
 */
export async function backupDatabase(handle: MaintenanceTarget, target: string, options: { pgUrl?: string } = {}): Promise<{ method: string; path: string }> {
  if (existsSync(target)) throw new VpoError("INVALID_ARGUMENT", `Backup target "${target}" already exists: choose a new file`);
  // As `vpo db copy` and a new database do: VACUUM INTO and pg_dump would fail on a missing folder.
  mkdirSync(dirname(target), { recursive: true });
  if (handle.dialect === "sqlite") {
    await sql`vacuum into ${target}`.execute(handle.db);
    return { method: "SQLite VACUUM INTO", path: target };
  }
  const sqliteTarget = /\.(db|sqlite3?)$/i.test(target);
  const pgDump = Bun.which("pg_dump");
  if (!sqliteTarget && pgDump && options.pgUrl) {
    const proc = Bun.spawn([pgDump, "--format=custom", "--no-owner", `--file=${target}`, options.pgUrl], { stdout: "ignore", stderr: "pipe" });
    const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
    if (code !== 0) throw new VpoError("COMMAND_FAILED", `pg_dump failed (exit ${code}): ${stderr.trim().split("\n").at(-1)}`);
    return { method: "pg_dump (custom format; restore with pg_restore -d NEWDB)", path: target };
  }
  if (!sqliteTarget) throw new VpoError("INVALID_ARGUMENT", `pg_dump is not on PATH: give a .db target for a logical copy into a SQLite file`);
  await copyInto(handle.db, target);
  return { method: "logical copy into a SQLite database", path: target };
}

/** Copies every vpo table, row for row, into a new SQLite database at `target`, in one read transaction. */
async function copyInto(source: Db, target: string): Promise<void> {
  const out = await openDatabase(target);
  try {
    await source.transaction().execute(async (trx) => {
      // One snapshot of the source for every table.
      await sql`set transaction isolation level repeatable read, read only`.execute(trx);
      await out.db.transaction().execute(async (w) => {
        // The new database is empty but for its own migration record: the source's replaces it.
        await w.deleteFrom("schema_migrations").execute();
        for (const table of VPO_TABLES) {
          let rows: unknown[] = [];
          const flush = async () => {
            if (rows.length) await w.insertInto(table as never).values(rows.map(forSqlite) as never).execute();
            rows = [];
          };
          for await (const row of trx.selectFrom(table as never).selectAll().stream(1_000)) {
            rows.push(row);
            if (rows.length * Object.keys(row as object).length >= 20_000) await flush();
          }
          await flush();
        }
      });
    });
  } finally {
    await out.close();
  }
}

/** PostgreSQL values as SQLite stores them: booleans as 0/1, Buffers as bytes. */
function forSqlite(row: unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row as Record<string, unknown>).map(([k, v]) => [k, typeof v === "boolean" ? (v ? 1 : 0) : v instanceof Uint8Array ? new Uint8Array(v) : v]));
}
