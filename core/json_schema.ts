import type * as v from "valibot";

/**
 * valibot → JSON Schema for the OpenAPI document. An exact byte total is a bigint in JavaScript
 * beyond 2^53 but always a plain integer in JSON (core/json.ts), so bigint maps to "integer".
 * `v.check` has no JSON form: what it checks is said in field descriptions.
 */
export function toOpenApiSchema(schema: v.GenericSchema, options: { strict?: boolean } = {}): Record<string, unknown> {
  // Required here: only the OpenAPI document needs it, not every command that loads the core.
  const { toJsonSchema } = require("@valibot/to-json-schema") as typeof import("@valibot/to-json-schema");
  const { $schema: _dialect, ...json } = toJsonSchema(schema, {
    errorMode: options.strict ? "throw" : "ignore",
    ignoreActions: options.strict ? [] : ["check"],
    overrideSchema: ({ valibotSchema }) => (valibotSchema.type === "bigint" ? { type: "integer" } : undefined),
  }) as Record<string, unknown>;
  return json;
}
