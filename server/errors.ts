import * as v from "valibot";
import { errorMessage, storageError, VpoError } from "../core/mod.ts";
import { httpStatusOf } from "./error_status.ts";

/** The body of every error response: a message for people, a stable code for programs. */
export const ErrorBodySchema = v.object({
  error: v.pipe(v.string(), v.description("What went wrong, naming the field or value at fault")),
  code: v.pipe(v.string(), v.description("Stable machine-readable code, e.g. INVALID_ARGUMENT, NOT_FOUND, UNAUTHORIZED")),
  details: v.optional(v.pipe(v.unknown(), v.description("Extra structure: problems per field, ambiguous id candidates…"))),
});
export type ErrorBody = v.InferOutput<typeof ErrorBodySchema>;

/**
 * An HTTP condition that is not a domain error: missing or wrong token (401), writes disabled
 * (403), body too large (413), unknown route (404), malformed JSON (400).
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Sent with the response, e.g. WWW-Authenticate with a 401. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };

/** A JSON error response; never carries a stack trace. */
export function errorResponse(status: number, body: ErrorBody, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

/** Server-side failures whose message is safe and useful to show the client. */
const TOLD: ReadonlySet<string> = new Set(["QUERY_TIMEOUT", "DISK_FULL", "DB_DAMAGED"]);

/** Maps anything thrown to { status, body }: domain errors by their code (error_status.ts), the rest to a bare 500. */
export function toErrorBody(thrown: unknown): { status: number; body: ErrorBody; headers?: Record<string, string> } {
  const error = storageError(thrown);
  if (error instanceof HttpError) {
    return { status: error.status, body: withDetails({ error: error.message, code: error.code }, error.details), headers: error.headers };
  }
  if (error instanceof VpoError) {
    const status = httpStatusOf(error.code);
    // A 5xx message may name files or SQL on the server: say which kind of failure, not the internals.
    if (status >= 500 && !TOLD.has(error.code)) return { status, body: { error: "Internal server error", code: error.code } };
    return { status, body: withDetails({ error: error.message, code: error.code }, error.details) };
  }
  return { status: 500, body: { error: "Internal server error", code: "INTERNAL" } };
}

function withDetails(body: ErrorBody, details: unknown): ErrorBody {
  return details === undefined ? body : { ...body, details };
}

/** A one-line description of an unexpected error, for the server log. */
export function describeUnexpected(error: unknown): string {
  return error instanceof Error && error.stack ? error.stack : errorMessage(error);
}
