/**
 * What scan, process, run and demo share: config and plugins, the database, the engine, and
 * the start-up housekeeping (unrecorded runs recorded, old jobs purged) reported to the user.
 */
import { type DatabaseHandle, type Db, registerNode, trace } from "../core/mod.ts";
import pkg from "../package.json" with { type: "json" };
import { createEngine, type Engine, engineProbe, type Housekeeping, readAhead, REPORTED_LOG_CATEGORIES, spoolPathFor, startupHousekeeping } from "../engine/mod.ts";
import { runRetentionIfDue } from "../monitor/retention/mod.ts";
import { type CliContext, createContext } from "./context.ts";
import { writeErr, writeOut } from "./stdio.ts";

export interface EngineSession {
  ctx: CliContext;
  /** The open database (for `vpo demo --serve`); `db` is its Kysely instance. */
  database: DatabaseHandle;
  db: Db;
  engine: Engine;
  housekeeping: Housekeeping;
  close(): Promise<void>;
}

/** The engine's probe as the command's config sets it up. */
const probeFor = (ctx: CliContext) => engineProbe({ tools: ctx.config.tools, probeTimeoutMs: (ctx.config.tools.probe_timeout_seconds ?? 30) * 1000 });

/** Engine wired to the command's config, database (and its spool) and event bus. */
export function engineFor(ctx: CliContext, db: Db, databaseLocation: string, probe = probeFor(ctx)): Engine {
  return createEngine({
    probe,
    node: ctx.node.name,
    libraries: ctx.config.libraries ?? {},
    db,
    registry: ctx.registry,
    tools: ctx.config.tools,
    hookTimeoutMs: ctx.config.plugins.hook_timeout_ms,
    bus: ctx.bus,
    spoolPath: spoolPathFor(databaseLocation),
  });
}

/**
 * Tells the user about runs an earlier vpo left unrecorded and that are recorded now: on
 * stderr, or as NDJSON `run.recovered` events on stdout when the command speaks JSON. Problems
 * (a torn spool line, a run that still cannot be stored) always go to stderr.
 */
export function reportRecovered(housekeeping: Housekeeping, json: boolean): void {
  for (const { record, removedTempFiles, from, committed } of housekeeping.recovered) {
    if (json) {
      writeOut(`${JSON.stringify({ event: "run.recovered", run_id: record.id, file: record.file_path, status: record.status, from, error: record.error_message, removed_temp_files: removedTempFiles })}\n`);
    } else if (record.status === "interrupted") {
      writeErr(`vpo: recorded an interrupted run from an earlier process: ${record.file_path} (run ${record.id})\n      ${record.error_message}\n`);
    } else if (from === "spool" && !committed) {
      writeErr(`vpo: stored a run the database had refused earlier (it waited in the spool): ${record.file_path} (run ${record.id})\n`);
    } else {
      writeErr(`vpo: recorded a run an earlier process finished but did not record (it was stopped after replacing the file): ${record.file_path} (run ${record.id}, ${record.status})\n`);
    }
  }
  for (const problem of housekeeping.problems) writeErr(`vpo: ${problem}\n`);
}

/**
 * Opens everything a media command needs and does the housekeeping; call `close()` when done.
 * `readAhead`: a file the command will run on, probed and hashed while the database opens (the
 * run then finds both in the caches, keyed by the file's state).
 */
export async function openEngineSession(
  args: Record<string, unknown>,
  rawArgs: readonly string[],
  options: { json?: boolean; readAhead?: string } = {},
): Promise<EngineSession> {
  // These commands print each file's outcome themselves: the same log lines stay off stderr unless asked for.
  const ctx = await createContext(args as never, rawArgs, { reportedLogCategories: REPORTED_LOG_CATEGORIES });
  trace("session: config and plugins");
  const probe = probeFor(ctx);
  if (options.readAhead) readAhead(probe, options.readAhead);
  const database = await ctx.open();
  trace("session: database open");
  const { db, location, close } = database;
  try {
    const engine = engineFor(ctx, db, location, probe);
    await registerNode(db, ctx.node, pkg.version);
    trace("session: node registered");
    const housekeeping = await startupHousekeeping(engine, { retentionDays: ctx.config.jobs.retention_days });
    reportRecovered(housekeeping, options.json === true);
    trace("session: housekeeping");
    // Retention at command start (about daily: skipped when any process ran it within 20 h).
    await runRetentionIfDue(db, ctx.config.retention ?? {});
    trace("session: retention");
    return { ctx, database, db, engine, housekeeping, close };
  } catch (error) {
    await close();
    throw error;
  }
}
