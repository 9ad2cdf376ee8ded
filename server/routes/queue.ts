import { Elysia } from "elysia";
import * as v from "valibot";
import { QueueStatusSchema } from "../../core/mod.ts";
import { authorizeWrite } from "../auth.ts";
import type { RouteDeps } from "../deps.ts";
import { ErrorBodySchema, HttpError } from "../errors.ts";
import { nameParam } from "../params.ts";

const QueueQuery = v.strictObject({
  node: nameParam("Only the files in progress on this machine ([node] name)"),
  library: nameParam("Only this library's jobs and files"),
});
const JobParams = v.object({ id: v.pipe(v.string(), v.regex(/^[0-9a-fA-F-]{8,36}$/, "expected a job id (or 8+ characters of it)"), v.description("Queue job id, as GET /api/queue lists it")) });
const writeErrors = { 400: ErrorBodySchema, 401: ErrorBodySchema, 403: ErrorBodySchema, 404: ErrorBodySchema, 409: ErrorBodySchema };

/** GET /api/queue (never cached: progress moves every second) and POST /api/queue/{id}/retry (token). */
export function queueRoutes(deps: RouteDeps) {
  return new Elysia({ name: "vpo-queue-routes" })
    .get("/api/queue", ({ query }) => deps.reader.read("queue", { node: query.node, library: query.library }), {
      query: QueueQuery,
      response: { 200: QueueStatusSchema, 400: ErrorBodySchema },
      detail: {
        tags: ["queue"],
        summary: "The job queue: jobs per state, files in progress on every node, failed jobs",
        description: "Progress (percent of the current phase, speed, fps, seconds left) is what each worker last wrote to the database, every 2 s. On SQLite there is no queue: counts are 0.",
      },
    })
    .post("/api/queue/:id/retry", async ({ params }) => {
      if (!deps.queue) throw new HttpError(409, "NO_QUEUE", "This server has no job queue: the queue needs a PostgreSQL database");
      return { retried: await deps.queue.retry(params.id) };
    }, {
      transform: ({ request }) => authorizeWrite(request, deps.token),
      params: JobParams,
      query: v.strictObject({}),
      response: { 200: v.object({ retried: v.array(v.string()) }), ...writeErrors },
      detail: {
        tags: ["queue"],
        summary: "Send a failed job back to the queue",
        description: "Needs `Authorization: Bearer <token>`. The job gets one more try; 400 when it is not failed.",
        security: [{ bearer: [] }],
      },
    });
}
