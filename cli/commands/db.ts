import { resolve } from "node:path";
import { defineCommand } from "citty";
import {
  backupDatabase, databaseInfo, type Db, LATEST_SCHEMA_VERSION, type MaintenanceTarget, optimizeDatabase, parseDatabaseLocation, redact, verifyDatabase,
} from "../../core/mod.ts";
import { runRetention } from "../../monitor/retention/mod.ts";
import type { CliContext } from "../context.ts";
import { globalArgs } from "../context.ts";
import { withDatabase } from "../database.ts";
import { formatBytes, formatNumber, renderJson, renderTable } from "../format.ts";
import { copyCommand } from "./db_copy.ts";
import { formatArg } from "./stats/_shared.ts";

/** The database a `vpo db` command works on, as maintenance needs it. */
function target(db: Db, ctx: CliContext): MaintenanceTarget & { url: string } {
  const where = parseDatabaseLocation(ctx.location);
  return where.dialect === "sqlite"
    ? { db, dialect: "sqlite", location: resolve(where.path), url: where.path }
    : { db, dialect: "postgres", location: redact(where.url), url: where.url };
}

const format = formatArg(["table", "json"]);
const print = (json: boolean, value: unknown, table: () => string) => process.stdout.write(`${json ? renderJson(value) : table()}\n`);

const info = defineCommand({
  meta: { name: "info", description: "Size on disk, rows per table, the span of runs and the retention horizons" },
  args: { format, ...globalArgs },
  async run({ args, rawArgs }) {
    await withDatabase(args, rawArgs, async (db, ctx) => {
      const i = await databaseInfo(target(db, ctx));
      print(args.format === "json", i, () =>
        [
          `${i.dialect} database ${i.location}: schema version ${i.schema_version}, ${formatBytes(i.size_bytes)} on disk`,
          `Runs from ${i.earliest_run ?? "—"} to ${i.latest_run ?? "—"}`,
          `Retention: runs kept from ${i.runs_horizon ?? "the start"}, details from ${i.details_horizon ?? "the start"} (daily totals are kept for ever)`,
          renderTable(["Table", "Rows", "Size"], i.tables.map((t) => [t.name, formatNumber(t.rows), t.bytes === null ? "—" : formatBytes(t.bytes)]), ["left", "right", "right"]),
        ].join("\n"));
    });
  },
});

const optimize = defineCommand({
  meta: { name: "optimize", description: "Refresh the query planner's statistics and give free space back (VACUUM, ANALYZE, PRAGMA optimize)" },
  args: { ...globalArgs },
  async run({ args, rawArgs }) {
    await withDatabase(args, rawArgs, async (db, ctx) => {
      const t = target(db, ctx);
      const before = (await databaseInfo(t)).size_bytes;
      const done = await optimizeDatabase(t);
      const after = (await databaseInfo(t)).size_bytes;
      process.stdout.write(`${done.join(", ")}: ${formatBytes(before)} → ${formatBytes(after)}\n`);
    }, { access: "write" });
  },
});

const verify = defineCommand({
  meta: { name: "verify", description: "Check the database: the storage engine's integrity check, then vpo's own (totals agree with the runs)" },
  args: { format, ...globalArgs },
  async run({ args, rawArgs }) {
    await withDatabase(args, rawArgs, async (db, ctx) => {
      const result = await verifyDatabase(target(db, ctx));
      print(args.format === "json", result, () => result.checks.map((c) => `${c.ok ? "ok  " : "FAIL"}  ${c.name}: ${c.detail}`).join("\n"));
      if (!result.ok) process.exitCode = 1;
    }, { access: "write" });
  },
});

const backup = defineCommand({
  meta: { name: "backup", description: "An online backup (SQLite: VACUUM INTO; PostgreSQL: pg_dump, or a copy into a SQLite file with --to FILE.db)" },
  args: { to: { type: "string", required: true, description: "The new backup file (must not exist)" }, ...globalArgs },
  async run({ args, rawArgs }) {
    await withDatabase(args, rawArgs, async (db, ctx) => {
      const t = target(db, ctx);
      const done = await backupDatabase(t, resolve(args.to), { pgUrl: t.url });
      process.stdout.write(`Backed up ${t.location} to ${done.path} (${done.method})\n`);
    }, { access: "write" });
  },
});

const migrate = defineCommand({
  meta: { name: "migrate", description: "Upgrade the database to this vpo's schema (what read commands ask for)" },
  args: { ...globalArgs },
  async run({ args, rawArgs }) {
    await withDatabase(args, rawArgs, async (db, ctx) => {
      process.stdout.write(`${target(db, ctx).location} is at schema version ${LATEST_SCHEMA_VERSION}\n`);
    }, { access: "write" });
  },
});

const retention = defineCommand({
  meta: { name: "retention", description: "Apply [retention] now: delete runs, details and reports past their periods (daily totals stay)" },
  args: { format, ...globalArgs },
  async run({ args, rawArgs }) {
    await withDatabase(args, rawArgs, async (db, ctx) => {
      const r = await runRetention(db, ctx.config.retention ?? {});
      // A period that is not set deletes nothing, for ever: say so rather than "before —".
      const kept = (what: string) => `${what} (no [retention] period: kept for ever)`;
      print(args.format === "json", r, () => [
        r.cutoffs.runsBefore ? `Deleted ${formatNumber(r.runs)} runs (before ${r.cutoffs.runsBefore})` : kept("No runs deleted"),
        r.cutoffs.detailsBefore ? `${formatNumber(r.details)} detail rows of older runs (before ${r.cutoffs.detailsBefore})` : kept("no details deleted"),
        `${formatNumber(r.reports)} reports; daily totals kept`,
      ].join(", "));
    }, { access: "write", retention: false });
  },
});

export const dbCommand = defineCommand({
  meta: { name: "db", description: "The database itself: info, optimize, verify, backup, migrate, retention, copy" },
  subCommands: { info, optimize, verify, backup, migrate, retention, copy: copyCommand },
});
