import { toJsonSchema } from "@valibot/to-json-schema";
import { Elysia } from "elysia";
import * as v from "valibot";
import { parseTimeBound, PurgeCountsSchema, purgeRuns, recordRun, recordRuns, type RunRecord, RunRecordSchema, toRecordedEvent, VpoError } from "../../core/mod.ts";
import { authorizeWrite } from "../auth.ts";
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

function storeFailure(error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && code.startsWith("SQLITE_CONSTRAINT")) {
    return new HttpError(409, "DUPLICATE_RUN", "A run with this id is already recorded; omit `id` to let the server assign one");
  }
  return error;
}

/** `before` is exclusive: a date means that day's first instant, like a `since` bound. */
function parseBefore(value: string): string {
  try {
    return parseTimeBound(value, "since");
  } catch (error) {
    if (error instanceof VpoError) throw new VpoError("INVALID_ARGUMENT", error.message.replace(/^Invalid since/, "Invalid before"));
    throw error;
  }
}

/** POST /api/stats/runs and DELETE /api/stats/purge: the two writes, both behind the bearer token. */
export function statsWriteRoutes(deps: RouteDeps) {
  return new Elysia({ name: "vpo-stats-write-routes" })
    .post("/api/stats/runs", async ({ body, set }) => {
      let runs: RunRecord[];
      try {
        if (Array.isArray(body)) {
          if (body.length === 0) throw new VpoError("INVALID_RECORD", "Invalid run records: the array is empty; send at least one run");
          runs = await recordRuns(deps.db, body);
        } else {
          runs = [await recordRun(deps.db, body)];
        }
      } catch (error) {
        throw storeFailure(error);
      }
      for (const run of runs) deps.bus.emit("run.recorded", toRecordedEvent(run));
      set.status = 201;
      return Array.isArray(body) ? { ids: runs.map((r) => r.id) } : { id: runs[0]!.id };
    }, {
      // Authorise before reading the body, and read at most body_limit_bytes of it.
      parse: async ({ request }) => {
        authorizeWrite(request, deps.token);
        return readJsonBody(request, deps.bodyLimit);
      },
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
      if (all && (query.before !== undefined || query.policy !== undefined)) {
        throw new VpoError("INVALID_ARGUMENT", "Purge all=true cannot be combined with before or policy");
      }
      if (query.policy !== undefined && query.policy.trim() === "") throw new VpoError("INVALID_ARGUMENT", "Purge policy must name a policy");
      if (!all && query.before === undefined && query.policy === undefined) {
        throw new VpoError("INVALID_ARGUMENT", "Purge needs before, policy or all=true: refusing to guess which runs to delete");
      }
      const before = query.before === undefined ? undefined : parseBefore(query.before);
      const removed = await purgeRuns(deps.db, { before, policy: query.policy, all, dryRun });
      if (!dryRun && removed.processing_stats > 0) deps.onRunsRemoved();
      return { dry_run: dryRun, removed };
    }, {
      transform: ({ request }) => authorizeWrite(request, deps.token),
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
