import * as v from "valibot";
import { didYouMean } from "../core/mod.ts";
import { HttpError } from "./errors.ts";

/** The part of Elysia's ValidationError this module reads. */
export interface ElysiaValidationLike {
  type: string;
  value: unknown;
  validator: unknown;
}

interface FieldProblem {
  field: string;
  in: string;
  problem: string;
  received?: unknown;
}

const LOCATION: Record<string, string> = { query: "query parameter", params: "path parameter", body: "body field", headers: "header" };

function schemaOf(validator: unknown): v.GenericSchema | undefined {
  const candidate = validator as { "~standard"?: unknown; schema?: unknown } | undefined;
  if (candidate && "~standard" in candidate) return candidate as v.GenericSchema;
  const inner = candidate?.schema as { "~standard"?: unknown } | undefined;
  if (inner && "~standard" in inner) return inner as v.GenericSchema;
  return undefined;
}

/**
 * Turns Elysia's validation failure of a valibot schema into a 400 that names each field and
 * what was expected: unknown parameters (with a did-you-mean), repeated ones, invalid values.
 */
export function validationToHttpError(error: ElysiaValidationLike): HttpError {
  const where = LOCATION[error.type] ?? error.type;
  const schema = schemaOf(error.validator);
  const issues = schema ? (v.safeParse(schema, error.value).issues ?? []) : [];
  const accepted = Object.keys((schema as { entries?: Record<string, unknown> } | undefined)?.entries ?? {});
  const problems: FieldProblem[] = issues.map((issue) => {
    const field = v.getDotPath(issue) ?? "(root)";
    if (issue.type === "strict_object") {
      return { field, in: error.type, problem: `unknown ${where}${didYouMean(field, accepted)}` };
    }
    if (Array.isArray(issue.input) && error.type === "query") {
      return { field, in: error.type, problem: "given more than once", received: issue.input };
    }
    return { field, in: error.type, problem: issue.message, received: issue.input };
  });
  const unknown = problems.filter((p) => p.problem.startsWith("unknown"));
  if (unknown.length > 0 && unknown.length === problems.length) {
    const names = unknown.map((p) => `"${p.field}"${p.problem.slice(`unknown ${where}`.length)}`).join(", ");
    const list = accepted.length ? accepted.join(", ") : "none";
    return new HttpError(400, "UNKNOWN_PARAMETER", `Unknown ${where}${unknown.length > 1 ? "s" : ""} ${names}; accepted: ${list}`, problems);
  }
  if (problems.length === 0) return new HttpError(400, "INVALID_ARGUMENT", `Invalid ${where}s`);
  const message = problems
    .map((p) => (p.problem.startsWith("unknown") ? `${p.problem} "${p.field}"` : `${where} ${p.field}${p.received === undefined ? "" : `=${JSON.stringify(p.received)}`}: ${p.problem}`))
    .join("; ");
  return new HttpError(400, "INVALID_ARGUMENT", `Invalid ${message}`, problems);
}
