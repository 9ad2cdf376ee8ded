import type { ErrorCode } from "../core/mod.ts";

/** The CLI's exit code for each domain error (README "Exit codes"); anything else is 1. */
const EXIT_CODES: Partial<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 2,
  INVALID_CONFIG: 2,
  INVALID_RECORD: 2,
  AMBIGUOUS_ID: 2,
  DB_NOT_VPO: 2,
  FILE_NOT_FOUND: 64,
  NOT_FOUND: 64,
  DB_MISSING: 64,
  NO_STATS: 65,
  INTERRUPTED: 130,
};

/** 2 bad input, 64 not found, 65 no statistics, 130 interrupted, 1 otherwise. */
export const exitCodeOf = (code: ErrorCode): number => EXIT_CODES[code] ?? 1;
