import { sql } from "kysely";
import { dialectOf, type Db } from "../db/handle.ts";
import { schemaVersion } from "../db/migrations/mod.ts";
import { bulkInsertValues } from "../db/bulk_insert.ts";
import { VpoError } from "../errors.ts";
import { refreshPlannerStatistics } from "./planner_statistics.ts";

/** Copied first, in this order, so every foreign key finds its row; any other table follows. */
const FIRST = ["files", "jobs", "nodes", "processing_stats"];
/** Only meaningful to the source's processes. */
const SKIPPED = new Set(["schema_migrations", "run_feed"]);

interface TableToCopy {
  name: string;
  columns: string[];
  /** The auto-incrementing column, whose sequence must move past the copied ids. */
  autoId: string | null;
}

/** The source's vpo tables (its own schema only: not, say, a job queue's), foreign-key order first. */
async function tablesOf(db: Db): Promise<TableToCopy[]> {
  const postgres = dialectOf(db) === "postgres";
  const current = postgres ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]!.s : undefined;
  const tables = (await db.introspection.getTables())
    .filter((t) => !SKIPPED.has(t.name) && !t.isView && (!postgres || t.schema === current))
    .map((t) => ({ name: t.name, columns: t.columns.map((c) => c.name), autoId: t.columns.find((c) => c.isAutoIncrementing)?.name ?? null }));
  const rank = (name: string) => (FIRST.includes(name) ? FIRST.indexOf(name) : FIRST.length);
  return tables.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}

/** Rows read per round trip from the source, and rows handed to one bulk insert (which splits them under each dialect's limits). */
const CHUNK = 1_000;
const BATCH = 10_000;

export interface CopyProgress {
  table: string;
  rows: number;
  /** Rows of this table in the source. */
  total: number;
}

/**
 * Copies a whole vpo database into another (SQLite → PostgreSQL or back, or between two of a
 * kind): every table row for row with its keys — the rollups too, as they are (days before a
 * retention horizon exist only there, and the rest equal the runs: `vpo db verify` checks) — and
 * the sequences moved past the copied ids. The target must be empty (freshly migrated) and at the same schema version,
 * so nothing is merged and nothing is lost; the copy is one transaction on the target.
 *
 * @example await copyDatabase(sqlite.db, postgres.db, (p) => console.log(p.table, p.rows))
 */
export async function copyDatabase(source: Db, target: Db, onProgress?: (p: CopyProgress) => void): Promise<Record<string, number>> {
  const [from, to] = [await schemaVersion(source), await schemaVersion(target)];
  if (from !== to) throw new VpoError("INVALID_ARGUMENT", `Cannot copy: the source is at schema version ${from} and the target at ${to}; open both with this vpo first`);
  const counts: Record<string, number> = {};
  const tables = await tablesOf(source);
  await target.transaction().execute(async (trx) => {
    for (const { name } of tables) {
      const existing = await trx.selectFrom(name as never).select(sql<number>`count(*)`.as("n")).executeTakeFirstOrThrow();
      if (Number((existing as { n: unknown }).n) > 0) throw new VpoError("INVALID_ARGUMENT", `Cannot copy into a database that already holds data: its table "${name}" is not empty`);
    }
    for (const { name, autoId, columns } of tables) {
      const total = Number(((await source.selectFrom(name as never).select(sql<number>`count(*)`.as("n")).executeTakeFirstOrThrow()) as { n: unknown }).n);
      let rows = 0;
      // Flat values, row after row: no object or array per row on the way in.
      const values: unknown[] = [];
      const flush = async () => {
        const count = values.length / columns.length;
        if (count === 0) return;
        await bulkInsertValues(trx, name, columns, values);
        rows += count;
        values.length = 0;
        onProgress?.({ table: name, rows, total });
      };
      // In key order where there is one, so ids keep their order in the target.
      const query = source.selectFrom(name as never).selectAll();
      const ordered = autoId ? query.orderBy(autoId as never) : columns.includes("id") ? query.orderBy("id" as never) : query;
      for await (const row of ordered.stream(CHUNK)) {
        for (const column of columns) values.push((row as Record<string, unknown>)[column]);
        if (values.length >= BATCH * columns.length) await flush();
      }
      await flush();
      if (rows === 0) onProgress?.({ table: name, rows: 0, total });
      counts[name] = rows;
      if (autoId && rows > 0 && dialectOf(trx) === "postgres") {
        await sql`select setval(pg_get_serial_sequence(${name}, ${autoId}), (select max(${sql.ref(autoId)}) from ${sql.table(name)}))`.execute(trx);
      }
    }
  });
  await refreshPlannerStatistics(target);
  return counts;
}
