import { closeDeadJobs, type Db, isAlive, VpoError } from "../core/mod.ts";
import { runRetentionIfDue } from "../monitor/retention/mod.ts";
import { type CliContext, createContext, type GlobalValues } from "./context.ts";

/** What a read of a database with no runs says (exit 65). */
export const NOTHING_RECORDED = "No statistics found: no runs are recorded yet. Process some files (vpo run / vpo process) or import runs (vpo stats import).";

export interface DatabaseUse<T = unknown> {
  /** "read" (the default here) never creates, migrates or changes a database. */
  access?: "read" | "write";
  /** Load third-party plugins too (commands that process files). */
  plugins?: boolean;
  /**
   * What a read answers when the default database does not exist yet (nothing was ever recorded):
   * by default exit 65, "no statistics"; a listing may rather answer that it is empty.
   */
  ifMissing?: () => T | Promise<T>;
  /** Writers apply [retention] first when it is due (default true; `vpo db retention` does it itself). */
  retention?: boolean;
}

/**
 * Opens the database the flags and config name, runs `use`, and always closes it: the one way a
 * command gets at the database. A read of the default database before anything was recorded
 * reports "no statistics" (exit 65); a database named explicitly but missing names the path (64).
 */
export async function withDatabase<T>(
  args: GlobalValues,
  rawArgs: readonly string[],
  use: (db: Db, ctx: CliContext) => Promise<T>,
  options: DatabaseUse<T> = {},
): Promise<T> {
  const ctx = await createContext(args, rawArgs, { plugins: options.plugins ?? false });
  const access = options.access ?? "read";
  let opened: Awaited<ReturnType<CliContext["open"]>>;
  try {
    opened = await ctx.open({ access });
  } catch (error) {
    const chosen = ctx.loaded.sources["database.url"] !== undefined || ctx.loaded.sources["database.path"] !== "default";
    if (!(error instanceof VpoError && error.code === "DB_MISSING") || chosen) throw error;
    if (options.ifMissing) return options.ifMissing();
    throw new VpoError("NO_STATS", NOTHING_RECORDED);
  }
  try {
    // A job whose process was killed must not stay "running" for good: close it at the next start.
    if (access === "write") {
      await closeDeadJobs(opened.db, isAlive);
      // Retention at command start (about daily: skipped when any process ran it within 20 h).
      if (options.retention !== false) await runRetentionIfDue(opened.db, ctx.config.retention ?? {});
    }
    return await use(opened.db, ctx);
  } finally {
    await opened.close();
  }
}
