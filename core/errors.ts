/**
 * One error class for every domain condition. `code` is stable and machine-readable;
 * `exitCode` and `status` let the CLI and the HTTP server map it without guessing.
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

const EXIT_CODES: Partial<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 2,
  INVALID_CONFIG: 2,
  INVALID_RECORD: 2,
  AMBIGUOUS_ID: 2,
  FILE_NOT_FOUND: 64,
  NOT_FOUND: 64,
  NO_STATS: 65,
  DB_MISSING: 64,
  DB_NOT_VPO: 2,
};

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  INVALID_RECORD: 422,
  AMBIGUOUS_ID: 400,
  NOT_FOUND: 404,
  FILE_NOT_FOUND: 404,
  NO_STATS: 404,
  DUPLICATE_RUN: 409,
  DISK_FULL: 507,
  QUERY_TIMEOUT: 503,
};

export class VpoError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "VpoError";
    this.code = code;
    this.details = options?.details;
  }

  /** Process exit code for the CLI: 2 bad input, 64 not found, 65 no statistics, 1 otherwise. */
  get exitCode(): number {
    return EXIT_CODES[this.code] ?? 1;
  }

  /** HTTP status for the server; anything not caused by the request is a 500. */
  get status(): number {
    return HTTP_STATUS[this.code] ?? 500;
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
  if (/unique|SQLITE_CONSTRAINT_PRIMARYKEY|23505/i.test(text) && /processing_stats/i.test(text)) {
    return new VpoError("DUPLICATE_RUN", "A run with this id is already recorded; nothing was stored", { cause: error });
  }
  if (/57014|canceling statement due to statement timeout/i.test(text)) {
    return new VpoError("QUERY_TIMEOUT", "The query took longer than its time budget and was stopped; narrow it or try again", { cause: error });
  }
  return error;
}
