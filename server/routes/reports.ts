import { Elysia } from "elysia";
import * as v from "valibot";
import { toJson } from "../../core/mod.ts";
import { JSON_HEADERS, type RouteDeps } from "../deps.ts";
import { ErrorBodySchema } from "../errors.ts";
import { nameParam, positiveIntParam, toInt } from "../params.ts";

const ReportInfoSchema = v.object({
  id: v.string(),
  schedule: v.pipe(v.string(), v.description('The schedule\'s name ("" for a report made on demand)')),
  period_key: v.string(),
  period: v.string(),
  since: v.string(),
  until: v.string(),
  format: v.string(),
  content_type: v.string(),
  status: v.picklist(["building", "done", "failed"]),
  claimed_by: v.nullable(v.string()),
  claimed_at: v.string(),
  created_at: v.nullable(v.string()),
  size_bytes: v.nullable(v.number()),
  error: v.nullable(v.string()),
  deliveries: v.unknown(),
});
const ReportsQuery = v.strictObject({ limit: positiveIntParam("How many, newest first; default 100", 1000), schedule: nameParam("Only this schedule's reports") });
const ReportParams = v.object({ id: v.pipe(v.string(), v.regex(/^[0-9a-f-]{36}$/, "expected a report id"), v.description("Report id")) });

/** GET /api/reports (stored reports) and /api/reports/{id} (the document itself). */
export function reportRoutes(deps: RouteDeps) {
  return new Elysia({ name: "vpo-report-routes" })
    .get("/api/reports", async ({ query }) => new Response(toJson(await deps.reader.read("reports", { limit: toInt(query.limit), schedule: query.schedule })), { headers: JSON_HEADERS }), {
      query: ReportsQuery,
      response: { 200: v.array(ReportInfoSchema), 400: ErrorBodySchema },
      detail: { tags: ["reports"], summary: "Reports made by the schedules, newest first", description: "Without their documents; fetch one at /api/reports/{id}." },
    })
    .get("/api/reports/:id", async ({ params }) => {
      const report = await deps.reader.read("report", { id: params.id });
      if (report.status !== "done" || report.body === null) {
        return new Response(toJson({ error: `Report ${params.id} is ${report.status}${report.error ? `: ${report.error}` : ""}`, code: "NOT_READY" }), { status: 409, headers: JSON_HEADERS });
      }
      const name = `vpo-report-${report.schedule || "adhoc"}-${report.period_key.split(" ").at(-1)}.${report.format}`;
      return new Response(new Uint8Array(report.body) as Uint8Array<ArrayBuffer>, { headers: { "content-type": report.content_type, "content-disposition": `inline; filename="${name}"`, "cache-control": "private, max-age=3600" } });
    }, {
      params: ReportParams,
      query: v.strictObject({}),
      detail: { tags: ["reports"], summary: "One report's document (PDF, HTML, Markdown or JSON), with its content type", responses: { 200: { description: "The document" }, 404: { description: "No such report" }, 409: { description: "Not finished, or failed" } } },
    });
}
