import * as v from "valibot";
import { didYouMean } from "./did_you_mean.ts";
import { type ErrorCode, VpoError } from "./errors.ts";

type AnySchema = v.GenericSchema & { wrapped?: AnySchema; entries?: Record<string, AnySchema>; item?: AnySchema; value?: AnySchema };

/** The object keys a schema accepts at a path (optional/nullish wrappers and arrays unwrapped). */
function keysAt(root: AnySchema | undefined, path: readonly (string | number)[]): string[] {
  let node = root;
  for (const key of path) {
    while (node?.wrapped) node = node.wrapped;
    if (!node) return [];
    node = node.entries?.[key] ?? node.item ?? node.value;
  }
  while (node?.wrapped) node = node.wrapped;
  return Object.keys(node?.entries ?? {});
}

/**
 * One line per problem: `key.path: message`. With the root schema, an unknown key reads
 * `unknown key "prot" (did you mean "port"?)` instead of valibot's "Expected never".
 */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[], root?: v.GenericSchema): string[] {
  return issues.map((issue) => {
    const path = v.getDotPath(issue);
    let message = issue.message;
    // A strict object reports unknown keys (expected "never") and missing required keys alike.
    if (issue.type === "strict_object" && issue.path?.length && issue.expected === "never") {
      const keys = issue.path.map((p) => p.key as string | number);
      const unknown = String(keys[keys.length - 1]);
      message = `unknown key "${unknown}"${didYouMean(unknown, keysAt(root as AnySchema, keys.slice(0, -1)))}`;
    }
    return path ? `${path}: ${message}` : message;
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
  const problems = describeIssues(result.issues, schema);
  throw new VpoError(code, `${context}: ${problems.join("; ")}`, { details: problems });
}
