import { openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
import type * as v from "valibot";
import { toOpenApiSchema } from "../core/mod.ts";

const valibotToJsonSchema = (schema: v.GenericSchema) => toOpenApiSchema(schema);

type Parameter = { description?: string; schema?: { description?: string } };
type Spec = { paths?: Record<string, Record<string, { parameters?: Parameter[] }>> };

/** Swagger UI shows a parameter's own description, not its schema's: copy it up (idempotent). */
function liftParameterDescriptions(spec: Spec): void {
  for (const operations of Object.values(spec.paths ?? {})) {
    for (const op of Object.values(operations)) {
      for (const p of op.parameters ?? []) if (!p.description && p.schema?.description) p.description = p.schema.description;
    }
  }
}

/**
 * The OpenAPI document at /swagger/json and Swagger UI at /swagger, with the UI's script and
 * styles served by the project (/swagger/assets) instead of a CDN.
 */
export function openapiPlugin(version: string) {
  return new Elysia({ name: "vpo-openapi" })
    .onAfterHandle({ as: "global" }, ({ path, response }) => {
      if (path === "/swagger/json" && response && typeof response === "object") liftParameterDescriptions(response as Spec);
    })
    .use(openapiDocs(version));
}

function openapiDocs(version: string) {
  return openapi({
    provider: "swagger-ui",
    path: "/swagger",
    specPath: "/swagger/json",
    mapJsonSchema: { valibot: valibotToJsonSchema },
    exclude: { paths: ["/", "/dashboard/:file", "/vendor/:file", "/swagger/assets/:file"] },
    documentation: {
      info: {
        title: "vpo API",
        version,
        description:
          "The record of media processing runs: views over it, a way for other tools to report runs, live events and Prometheus metrics. " +
          // No double quotes: the UI page embeds this in an HTML attribute without escaping it.
          "Errors answer a JSON object with `error` (a message), `code` (stable) and sometimes `details`. Writes need `Authorization: Bearer <token>`.",
      },
      tags: [
        { name: "stats", description: "Processing runs: views, detail, reporting and purge" },
        { name: "jobs", description: "Scan, process, run and import jobs" },
        { name: "events", description: "Live updates" },
        { name: "system", description: "Health, plugins, metrics" },
      ],
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    },
    swagger: {
      cdn: "/swagger/assets/swagger-ui-bundle.js",
      theme: "/swagger/assets/swagger-ui.css",
      autoDarkMode: false,
    },
  });
}
