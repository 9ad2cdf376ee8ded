/**
 * What scan, process, run and demo share: config and plugins, the database, the engine, and
 * the start-up housekeeping (interrupted runs recovered, old jobs purged) reported to the user.
 */
import type { DatabaseHandle, Db } from "../core/mod.ts";
import { createEngine, type Engine } from "../engine/session.ts";
import { type Housekeeping, startupHousekeeping } from "../engine/startup.ts";
import { type CliContext, createContext } from "./context.ts";

export interface EngineSession {
  ctx: CliContext;
  /** The open database (for `vpo demo --serve`); `db` is its Kysely instance. */
  database: DatabaseHandle;
  db: Db;
  engine: Engine;
  housekeeping: Housekeeping;
  close(): Promise<void>;
}

/** Engine wired to the command's config, database and event bus. */
export function engineFor(ctx: CliContext, db: Db): Engine {
  return createEngine({
    db,
    registry: ctx.registry,
    tools: ctx.config.tools,
    probeTimeoutMs: (ctx.config.tools.probe_timeout_seconds ?? 30) * 1000,
    hookTimeoutMs: ctx.config.plugins.hook_timeout_ms,
    bus: ctx.bus,
  });
}

/**
 * Tells the user about runs an earlier, killed vpo left unfinished: on stderr, or as NDJSON
 * `run.recovered` events on stdout when the command speaks JSON.
 */
export function reportRecovered(housekeeping: Housekeeping, json: boolean): void {
  for (const { record, removedTempFiles } of housekeeping.recovered) {
    if (json) {
      process.stdout.write(`${JSON.stringify({ event: "run.recovered", run_id: record.id, file: record.file_path, status: record.status, error: record.error_message, removed_temp_files: removedTempFiles })}\n`);
    } else {
      process.stderr.write(`vpo: recorded an interrupted run from an earlier process: ${record.file_path} (run ${record.id})\n      ${record.error_message}\n`);
    }
  }
}

/** Opens everything a media command needs and does the housekeeping; call `close()` when done. */
export async function openEngineSession(args: Record<string, unknown>, rawArgs: readonly string[], options: { json?: boolean } = {}): Promise<EngineSession> {
  const ctx = await createContext(args as never, rawArgs);
  const database = await ctx.open();
  const { db, close } = database;
  try {
    const engine = engineFor(ctx, db);
    const housekeeping = await startupHousekeeping(engine, db, { retentionDays: ctx.config.jobs.retention_days });
    reportRecovered(housekeeping, options.json === true);
    return { ctx, database, db, engine, housekeeping, close };
  } catch (error) {
    await close();
    throw error;
  }
}
