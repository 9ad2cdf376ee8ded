import { Elysia } from "elysia";
import * as v from "valibot";
import {
  BreakdownRowSchema, FileProcessingHistorySchema, MetricAggregateSchema, parseTimeRange, PolicySortSchema, PolicyStatsSchema, RecentRunSchema,
  RUN_SEARCH_MAX_LIMIT, RunDetailSchema, RunPageSchema, RunStatusSchema, StatsSummarySchema, TrendGroupBySchema, TrendPointSchema, VpoError,
} from "../../core/mod.ts";
import { CodecShareSchema } from "../../core/mod.ts";
import { cacheKey } from "../cache.ts";
import { jsonBody, type RouteDeps } from "../deps.ts";
import { ErrorBodySchema } from "../errors.ts";
import { choiceParam, nameParam, plainText, positiveIntParam, toInt, windowParams } from "../params.ts";

const policyParam = nameParam("Only runs of this policy");
/** Every view also takes the library and the node. */
const scopeParams = { library: nameParam("Only runs of this library ([libraries] in the config)"), node: nameParam("Only runs of this machine ([node] name)") };
const scope = (q: { library?: string; node?: string }) => ({ library: q.library, node: q.node });
const errors = { 400: ErrorBodySchema, 404: ErrorBodySchema };
const tags = ["stats"];

const FilterQuery = v.strictObject({ ...windowParams, policy: policyParam, ...scopeParams });
const RecentQuery = v.strictObject({ limit: positiveIntParam("How many runs, newest first; default 20", 1000), policy: policyParam, ...scopeParams });
const PoliciesQuery = v.strictObject({ ...windowParams, ...scopeParams, sort: choiceParam(PolicySortSchema.options, "Order, descending: files (default), savings, time") });
const WindowQuery = v.strictObject({ ...windowParams, ...scopeParams });
const TrendsQuery = v.strictObject({ ...windowParams, group_by: choiceParam(TrendGroupBySchema.options, "Period: day (default), ISO week, month"), policy: policyParam, ...scopeParams });
const MetricsQuery = v.strictObject({ plugin: nameParam("Only this plugin's metrics"), key: nameParam("Only this metric key"), ...windowParams, ...scopeParams });
const RunSearchQuery = v.strictObject({
  q: v.optional(v.pipe(plainText, v.description("Only runs whose file path contains this text (ASCII letters in any case; % and _ are plain characters)"))),
  policy: policyParam,
  ...scopeParams,
  status: choiceParam(RunStatusSchema.options, "Only runs with this outcome"),
  ...windowParams,
  limit: positiveIntParam("Runs per page, newest first; default 50", RUN_SEARCH_MAX_LIMIT),
  cursor: v.optional(v.pipe(v.string(), v.regex(/^[\w-]{1,400}$/, "expected the next_cursor of a previous page"), v.description("next_cursor of the previous page"))),
});
const FileQuery = v.strictObject({ limit: positiveIntParam("How many runs, newest first; default all", 10000) });
const PolicyParams = v.object({ name: v.pipe(plainText, v.minLength(1), v.description("Policy name")) });
const FileParams = v.object({ file_id: v.pipe(v.string(), v.regex(/^[1-9]\d{0,14}$/, "expected a file id (a positive integer)"), v.description("files.id")) });
const RunParams = v.object({ stats_id: v.pipe(plainText, v.description("Run id, or a unique prefix of at least 4 characters")) });

/** Read views over the stats repository, every response cached until runs change. */
export function statsRoutes(deps: RouteDeps) {
  const view = async (request: Request, load: () => Promise<unknown>) => jsonBody(await deps.cache.through(cacheKey(request.url), load));
  const range = (q: { since?: string; until?: string }) => parseTimeRange(q);
  return new Elysia({ name: "vpo-stats-routes" })
    .get("/api/stats/summary", ({ query, request }) => {
      const filter = { ...range(query), policy: query.policy, ...scope(query) };
      return view(request, () => deps.reader.read("summary", filter));
    }, { query: FilterQuery, response: { 200: StatsSummarySchema, ...errors }, detail: { tags, summary: "Library-wide totals", description: "Files processed, success rate, bytes saved, tracks removed, transcodes, time. Zeros when no run matches." } })
    .get("/api/stats/recent", ({ query, request }) => {
      const options = { limit: toInt(query.limit), policy: query.policy, ...scope(query) };
      return view(request, () => deps.reader.read("recent", options));
    }, { query: RecentQuery, response: { 200: v.array(RecentRunSchema), ...errors }, detail: { tags, summary: "The latest runs, newest first" } })
    .get("/api/stats/runs", ({ query, request }) => {
      const options = { ...range(query), q: query.q, policy: query.policy, ...scope(query), status: query.status, limit: toInt(query.limit), cursor: query.cursor };
      return view(request, () => deps.reader.read("runSearch", options));
    }, {
      query: RunSearchQuery,
      response: { 200: RunPageSchema, ...errors },
      detail: {
        tags,
        summary: "Search every run, a page at a time",
        description: "Newest first. Filters combine; pass `next_cursor` back as `cursor` for the next page (keyset paging: a run recorded meanwhile never shifts a page). The POST on this path records runs.",
      },
    })
    .get("/api/stats/policies", ({ query, request }) => {
      const options = { ...range(query), sort: query.sort, ...scope(query) };
      return view(request, () => deps.reader.read("policies", options));
    }, { query: PoliciesQuery, response: { 200: v.array(PolicyStatsSchema), ...errors }, detail: { tags, summary: "Totals per policy" } })
    .get("/api/stats/policies/:name", ({ params, query, request }) => {
      const args = { name: params.name, ...range(query), ...scope(query) };
      return view(request, async () => {
        const stats = await deps.reader.read("policy", args);
        if (!stats) throw new VpoError("NOT_FOUND", `Policy "${params.name}" has no runs in this window`);
        return stats;
      });
    }, { params: PolicyParams, query: WindowQuery, response: { 200: PolicyStatsSchema, ...errors }, detail: { tags, summary: "Totals of one policy" } })
    .get("/api/stats/files/:file_id", ({ params, query, request }) => {
      const args = { fileId: Number(params.file_id), limit: toInt(query.limit) };
      return view(request, () => deps.reader.read("fileHistory", args));
    }, { params: FileParams, query: FileQuery, response: { 200: v.array(FileProcessingHistorySchema), ...errors }, detail: { tags, summary: "Every run of one file, newest first" } })
    .get("/api/stats/trends", ({ query, request }) => {
      const options = { ...range(query), policy: query.policy, groupBy: query.group_by ?? "day", ...scope(query) };
      return view(request, () => deps.reader.read("trends", options));
    }, { query: TrendsQuery, response: { 200: v.array(TrendPointSchema), ...errors }, detail: { tags, summary: "Runs and bytes saved per day, week or month", description: "Oldest first; periods without runs are omitted." } })
    .get("/api/stats/metrics", ({ query, request }) => {
      const filter = { plugin: query.plugin, key: query.key, ...range(query), ...scope(query) };
      return view(request, () => deps.reader.read("metrics", filter));
    }, { query: MetricsQuery, response: { 200: v.array(MetricAggregateSchema), ...errors }, detail: { tags, summary: "count/sum/avg/min/max of every plugin metric" } })
    .get("/api/stats/codecs", ({ query, request }) => {
      const filter = { ...range(query), policy: query.policy, ...scope(query) };
      return view(request, () => deps.reader.read("codecs", filter));
    }, { query: FilterQuery, response: { 200: v.array(CodecShareSchema), ...errors }, detail: { tags, summary: "Video codecs before and after processing" } })
    .get("/api/stats/nodes", ({ query, request }) => {
      const filter = { by: "node" as const, ...range(query), policy: query.policy, ...scope(query) };
      return view(request, () => deps.reader.read("breakdown", filter));
    }, { query: FilterQuery, response: { 200: v.array(BreakdownRowSchema), ...errors }, detail: { tags, summary: "Totals per machine", description: "Most files first; the rows add up to the summary over the same filters." } })
    .get("/api/stats/libraries", ({ query, request }) => {
      const filter = { by: "library" as const, ...range(query), policy: query.policy, ...scope(query) };
      return view(request, () => deps.reader.read("breakdown", filter));
    }, { query: FilterQuery, response: { 200: v.array(BreakdownRowSchema), ...errors }, detail: { tags, summary: "Totals per library", description: "Libraries are named in [libraries] of each machine's config." } })
    .get("/api/stats/:stats_id", ({ params, request }) => {
      return view(request, () => deps.reader.read("runDetail", { id: params.stats_id }));
    }, { params: RunParams, query: v.strictObject({}), response: { 200: RunDetailSchema, ...errors }, detail: { tags, summary: "One run with its actions, phases, plugin metrics and errors", description: "An ambiguous prefix answers 400 AMBIGUOUS_ID with the candidates in `details`." } });
}
