import { Elysia } from "elysia";
import * as v from "valibot";
import { parseTimeRange, StatsSummarySchema } from "../../core/mod.ts";
import { LibraryCompositionSchema } from "../../monitor/library/mod.ts";
import { PerformanceChangeSchema } from "../../monitor/regressions/mod.ts";
import { ComparedFieldSchema, comparisonWindows, PERIODS, QUERY_WINDOW_NAMES } from "../../monitor/reports/mod.ts";
import { cacheKey } from "../cache.ts";
import { jsonBody, type RouteDeps } from "../deps.ts";
import { ErrorBodySchema } from "../errors.ts";
import { choiceParam, flagParam, nameParam, timeParam, toFlag, windowParams } from "../params.ts";

const policyParam = nameParam("Only runs of this policy");
const scopeParams = { library: nameParam("Only runs of this library ([libraries] in the config)"), node: nameParam("Only runs of this machine ([node] name)") };
const errors = { 400: ErrorBodySchema, 404: ErrorBodySchema };
const tags = ["analysis"];

const CompareQuery = v.strictObject({
  period: choiceParam(PERIODS, "The last complete day, ISO week or month against the one before (default week, when no window is given)"),
  since: timeParam("Start of the window to look at"),
  until: timeParam("End of the window to look at; a date-only value includes that day"),
  to_since: timeParam("Start of the window to compare with (default: the same length just before)"),
  to_until: timeParam("End of the window to compare with"),
  policy: policyParam,
  ...scopeParams,
});
const WindowSchema = v.object({ since: v.string(), until: v.string(), label: v.string() });
const ComparisonSchema = v.object({ current: WindowSchema, baseline: WindowSchema, fields: v.array(ComparedFieldSchema) });
const RegressionsQuery = v.strictObject({ ...windowParams, policy: policyParam, ...scopeParams, improvements: flagParam("Also list changes for the better") });
const LibraryQuery = v.strictObject({
  library: nameParam('A library from [libraries]; default: every file scanned'),
  trend: flagParam("Every daily snapshot in the window instead of the latest"),
  ...windowParams,
});

/** Period comparison, performance regressions and library composition. */
export function analysisRoutes(deps: RouteDeps) {
  const view = async (request: Request, load: () => Promise<unknown>) => jsonBody(await deps.cache.through(cacheKey(request.url), load));
  return new Elysia({ name: "vpo-analysis-routes" })
    .get("/api/stats/compare", ({ query, request }) => {
      const windows = comparisonWindows({ period: query.period, since: query.since, until: query.until, toSince: query.to_since, toUntil: query.to_until }, new Date(), QUERY_WINDOW_NAMES);
      const scope = { policy: query.policy, library: query.library, node: query.node };
      return view(request, () => deps.reader.read("compare", { ...windows, scope }));
    }, {
      query: CompareQuery,
      response: { 200: ComparisonSchema, ...errors },
      detail: { tags, summary: "Every summary field over two windows, with the absolute and % change", description: `Fields are those of /api/stats/summary (${Object.keys(StatsSummarySchema.entries).length}).` },
    })
    .get("/api/stats/regressions", ({ query, request }) => {
      const options = { ...parseTimeRange(query), policy: query.policy, library: query.library, node: query.node, improvements: toFlag(query.improvements) };
      return view(request, () => deps.reader.read("regressions", options));
    }, {
      query: RegressionsQuery,
      response: { 200: v.array(PerformanceChangeSchema), ...errors },
      detail: { tags, summary: "Performance changes per policy, phase, encoder and resolution", description: "Change points (E-divisive means, Student's t-test) in seconds per GB and encoding fps; newest first." },
    })
    .get("/api/stats/library", ({ query, request }) => {
      const options = { library: query.library, trend: toFlag(query.trend), ...parseTimeRange(query) };
      return view(request, () => deps.reader.read("library", options));
    }, { query: LibraryQuery, response: { 200: LibraryCompositionSchema, ...errors }, detail: { tags, summary: "What the library is made of, now or per day (snapshots taken by scans)" } });
}
