/**
 * The domain's error conditions, as Rollup's logs.ts has them: a stable, machine-readable `code`
 * and a message in the domain's words (a cutoff time, a policy — not a flag or a query
 * parameter). The CLI maps codes to exit codes (cli/exit_codes.ts) and the server to HTTP
 * statuses (server/error_status.ts), each in one table of its own.
 */
export type ErrorCode =
  | "INVALID_ARGUMENT"
  | "INVALID_RECORD"
  | "INVALID_CONFIG"
  | "INVALID_PLUGIN"
  | "PLUGIN_LOAD_FAILED"
  | "PLUGIN_HOOK_FAILED"
  | "PLUGIN_TIMEOUT"
  | "PLUGIN_INVALID_OUTPUT"
  | "PLUGIN_FACT_NOT_OWNED"
  | "PLUGIN_STOPPED"
  | "NOT_FOUND"
  | "FILE_NOT_FOUND"
  | "NO_STATS"
  | "AMBIGUOUS_ID"
  | "DB_TOO_NEW"
  | "DB_ERROR"
  | "DB_DAMAGED"
  | "DB_MISSING"
  | "DB_NOT_VPO"
  | "DISK_FULL"
  | "DUPLICATE_RUN"
  | "QUERY_TIMEOUT"
  | "TOOL_MISSING"
  | "TOOL_FAILED"
  | "TOOL_TIMEOUT"
  | "COMMAND_FAILED"
  | "VERIFY_FAILED"
  | "INSUFFICIENT_SPACE"
  | "INTERRUPTED";

export class VpoError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "VpoError";
    this.code = code;
    this.details = options?.details;
  }
}

/** The message of anything thrown, without a stack. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * A database failure in the domain's words, for what has words: a full disk, a run stored twice,
 * a query stopped at its time budget. Anything else comes back as it was.
 */
export function storageError(error: unknown): unknown {
  if (error instanceof VpoError) return error;
  const text = `${(error as { code?: unknown })?.code ?? ""} ${(error as Error)?.message ?? error}`;
  if (/SQLITE_FULL|database or disk is full|ENOSPC|No space left|53100|could not extend file/i.test(text)) {
    return new VpoError("DISK_FULL", "The database's disk is full: nothing was stored; free some space and try again", { cause: error });
  }
  if (/SQLITE_CORRUPT|database disk image is malformed/i.test(text)) {
    return new VpoError(
      "DB_DAMAGED",
      "The database file is damaged (SQLite: database disk image is malformed): restore it from a backup, or recover what is left with sqlite3's .recover; vpo db verify checks it",
      { cause: error },
    );
  }
  if (/unique|SQLITE_CONSTRAINT_PRIMARYKEY|23505/i.test(text) && /processing_stats/i.test(text)) {
    return new VpoError("DUPLICATE_RUN", "A run with this id is already recorded; nothing was stored", { cause: error });
  }
  if (/57014|canceling statement due to statement timeout/i.test(text)) {
    return new VpoError("QUERY_TIMEOUT", "The query took longer than its time budget and was stopped; narrow it or try again", { cause: error });
  }
  return error;
}
