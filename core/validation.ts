import * as v from "valibot";
import { type ErrorCode, VpoError } from "./errors.ts";

/** One line per problem: `key.path: message`. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string[] {
  return issues.map((issue) => {
    const path = v.getDotPath(issue);
    return path ? `${path}: ${issue.message}` : issue.message;
  });
}

/**
 * Parses `input` with `schema` or throws a VpoError whose message starts with `context`
 * and lists every problem, e.g. `Invalid run record: size_before: Invalid type: Expected number but received "x"`.
 */
export function parseOrThrow<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  context: string,
  code: ErrorCode = "INVALID_ARGUMENT",
): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  const problems = describeIssues(result.issues);
  throw new VpoError(code, `${context}: ${problems.join("; ")}`, { details: problems });
}
