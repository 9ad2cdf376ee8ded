import { toJsonSchema } from "@valibot/to-json-schema";
import { Elysia } from "elysia";
import * as v from "valibot";
import { createBreather, parseTimeBound, PurgeCountsSchema, purgeRuns, recordRuns, RunRecordSchema, VpoError } from "../../core/mod.ts";
import { readJsonBody } from "../body.ts";
import type { RouteDeps } from "../deps.ts";
import { ErrorBodySchema, HttpError } from "../errors.ts";
import { flagParam, nameParam, timeParam, toFlag } from "../params.ts";

const tags = ["stats"];
const writeErrors = { 400: ErrorBodySchema, 401: ErrorBodySchema, 403: ErrorBodySchema };

const RecordedSchema = v.union([
  v.object({ id: v.pipe(v.string(), v.description("Id of the stored run")) }),
  v.object({ ids: v.pipe(v.array(v.string()), v.description("Ids of the stored runs, in the order given")) }),
]);

const PurgeQuery = v.strictObject({
  before: timeParam("Delete runs recorded before this time (exclusive): ISO date/datetime or relative 90d"),
  policy: nameParam("Delete only this policy's runs"),
  all: flagParam("Delete every run (cannot be combined with before/policy)"),
  dry_run: flagParam("Only count what would be deleted"),
});
const PurgeResultSchema = v.object({ dry_run: v.boolean(), removed: PurgeCountsSchema });

const recordBodyDoc = {
  required: true,
  description: "One run in the import format (vpo export / import lines), or an array of them stored all-or-nothing.",
  content: {
    "application/json": {
      // v.check (ISO datetimes) has no JSON Schema form: documented by the field descriptions instead.
      schema: toJsonSchema(v.union([RunRecordSchema, v.array(RunRecordSchema)]), { errorMode: "ignore" }) as Record<string, never>,
    },
  },
};

/** POST /api/stats/runs and DELETE /api/stats/purge: the two writes, both behind the bearer token. */
export function statsWriteRoutes(deps: RouteDeps) {
  return new Elysia({ name: "vpo-stats-write-routes" })
    .post("/api/stats/runs", async ({ body, set }) => {
      if (Array.isArray(body) && body.length === 0) throw new VpoError("INVALID_RECORD", "Invalid run records: the array is empty; send at least one run");
      // Validation and storage hand the event loop back every few milliseconds, so a large POST
      // never stalls /health or cached views for long.
      const runs = await recordRuns(deps.db, Array.isArray(body) ? body : [body], { breathe: createBreather() });
      deps.onWrite();
      set.status = 201;
      return Array.isArray(body) ? { ids: runs.map((r) => r.id) } : { id: runs[0]!.id };
    }, {
      // Authorised by the guard (server/auth.ts) before the body is read; at most body_limit_bytes of it.
      parse: async ({ request }) => readJsonBody(request, deps.bodyLimit),
      response: { 201: RecordedSchema, ...writeErrors, 409: ErrorBodySchema, 413: ErrorBodySchema, 422: ErrorBodySchema },
      detail: {
        tags,
        summary: "Record a run reported by another tool",
        description: "For post-processing steps of Tdarr, Unmanic, FileFlows or a curl script. Needs `Authorization: Bearer <token>`. Invalid records answer 422 naming the field.",
        requestBody: recordBodyDoc,
        security: [{ bearer: [] }],
      },
    })
    .delete("/api/stats/purge", async ({ query }) => {
      const dryRun = toFlag(query.dry_run) ?? false;
      const all = toFlag(query.all) ?? false;
      const before = query.before === undefined ? undefined : parseTimeBound(query.before, "since", undefined, "before");
      const removed = await purgeRuns(deps.db, { before, policy: query.policy, all, dryRun });
      if (!dryRun && removed.processing_stats > 0) deps.onWrite();
      return { dry_run: dryRun, removed };
    }, {
      query: PurgeQuery,
      response: { 200: PurgeResultSchema, ...writeErrors },
      detail: {
        tags,
        summary: "Delete runs by age and/or policy, or all",
        description: "Needs `Authorization: Bearer <token>`. Needs before, policy or all=true. The per-day rollup is rebuilt for what was touched.",
        security: [{ bearer: [] }],
      },
    });
}
