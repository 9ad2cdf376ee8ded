import type { ErrorCode } from "../core/errors.ts";

/** The HTTP status for each domain error; anything not caused by the request is a 500. */
const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  AMBIGUOUS_ID: 400,
  INVALID_RECORD: 422,
  NOT_FOUND: 404,
  FILE_NOT_FOUND: 404,
  NO_STATS: 404,
  DUPLICATE_RUN: 409,
  QUERY_TIMEOUT: 503,
  // The database cannot answer (unreachable, damaged): not a fault of the request, nor of this code.
  DB_ERROR: 503,
  DB_DAMAGED: 503,
  DISK_FULL: 507,
};

export const httpStatusOf = (code: ErrorCode): number => HTTP_STATUS[code] ?? 500;
