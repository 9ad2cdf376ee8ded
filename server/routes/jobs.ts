import { Elysia } from "elysia";
import * as v from "valibot";
import { JOB_STATUSES, JOB_TYPES, JobDetailSchema, JobSchema, parseTimeBound } from "../../core/mod.ts";
import { cacheKey } from "../cache.ts";
import { jsonBody, type RouteDeps } from "../deps.ts";
import { ErrorBodySchema } from "../errors.ts";
import { choiceParam, positiveIntParam, timeParam, toInt } from "../params.ts";

const JobsQuery = v.strictObject({
  status: choiceParam(JOB_STATUSES, "Only jobs in this status"),
  type: choiceParam(JOB_TYPES, "Only jobs of this type"),
  since: timeParam("Only jobs created from this time: ISO date/datetime or relative 24h, 7d"),
  limit: positiveIntParam("How many jobs, newest first; default 50", 1000),
});
const JobParams = v.object({ id: v.pipe(v.string(), v.description("Job id, or a unique prefix of at least 4 characters")) });
const errors = { 400: ErrorBodySchema, 404: ErrorBodySchema };

/** GET /api/jobs and GET /api/jobs/{id}. */
export function jobRoutes(deps: RouteDeps) {
  const view = async (request: Request, load: () => Promise<unknown>) => jsonBody(await deps.cache.through(cacheKey(request.url), load));
  return new Elysia({ name: "vpo-job-routes" })
    .get("/api/jobs", ({ query, request }) => {
      const filter = {
        status: query.status,
        type: query.type,
        since: query.since === undefined ? undefined : parseTimeBound(query.since, "since"),
        limit: toInt(query.limit),
      };
      return view(request, () => deps.reader.read("jobs", filter));
    }, { query: JobsQuery, response: { 200: v.array(JobSchema), ...errors }, detail: { tags: ["jobs"], summary: "Scan, process, run and import jobs, newest first" } })
    .get("/api/jobs/:id", ({ params, request }) => view(request, () => deps.reader.read("job", { id: params.id })), {
      params: JobParams,
      query: v.strictObject({}),
      response: { 200: JobDetailSchema, ...errors },
      detail: { tags: ["jobs"], summary: "One job with totals of the runs it recorded" },
    });
}
