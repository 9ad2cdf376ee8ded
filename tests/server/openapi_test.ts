import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Seeded, seededServer } from "./_seed.ts";

type Operation = {
  parameters?: { name: string; in: string; required?: boolean; schema: Record<string, unknown> }[];
  responses?: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }>;
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  summary?: string;
  tags?: string[];
};

let s: Seeded;
let spec: { openapi: string; info: { title: string }; paths: Record<string, Record<string, Operation>> };
beforeAll(async () => {
  s = await seededServer();
  spec = await (await s.request("/swagger/json")).json();
});
afterAll(() => s.close());

/** Every API route, its query/path parameters and the statuses it documents with a JSON body schema. */
const S = ["library", "node"]; // every view's scope
const ROUTES: [method: string, path: string, query: string[], pathParams: string[], jsonStatuses: string[]][] = [
  ["get", "/api/stats/summary", ["since", "until", "policy", ...S], [], ["200", "400"]],
  ["get", "/api/stats/recent", ["limit", "policy", ...S], [], ["200", "400"]],
  ["get", "/api/stats/runs", ["q", "policy", "status", "since", "until", "limit", "cursor", ...S], [], ["200", "400"]],
  ["get", "/api/stats/policies", ["since", "until", "sort", ...S], [], ["200", "400"]],
  ["get", "/api/stats/policies/{name}", ["since", "until", ...S], ["name"], ["200", "400", "404"]],
  ["get", "/api/stats/files/{file_id}", ["limit"], ["file_id"], ["200", "400", "404"]],
  ["get", "/api/stats/trends", ["since", "until", "group_by", "policy", ...S], [], ["200", "400"]],
  ["get", "/api/stats/metrics", ["plugin", "key", "since", "until", ...S], [], ["200", "400"]],
  ["get", "/api/stats/codecs", ["since", "until", "policy", ...S], [], ["200", "400"]],
  ["get", "/api/stats/nodes", ["since", "until", "policy", ...S], [], ["200", "400"]],
  ["get", "/api/stats/libraries", ["since", "until", "policy", ...S], [], ["200", "400"]],
  ["get", "/api/stats/{stats_id}", [], ["stats_id"], ["200", "400", "404"]],
  ["get", "/api/stats/compare", ["period", "since", "until", "to_since", "to_until", "policy", ...S], [], ["200", "400"]],
  ["get", "/api/stats/regressions", ["since", "until", "policy", "improvements", ...S], [], ["200", "400"]],
  ["get", "/api/stats/library", ["library", "trend", "since", "until"], [], ["200", "400"]],
  ["get", "/api/reports", ["limit", "schedule"], [], ["200", "400"]],
  ["get", "/api/reports/{id}", [], ["id"], []],
  ["delete", "/api/stats/purge", ["before", "policy", "all", "dry_run"], [], ["200", "400", "401", "403"]],
  ["post", "/api/stats/runs", [], [], ["201", "400", "401", "403", "409", "413", "422"]],
  ["get", "/api/jobs", ["status", "type", "since", "limit"], [], ["200", "400"]],
  ["get", "/api/jobs/{id}", [], ["id"], ["200", "400", "404"]],
  ["get", "/api/queue", ["node", "library"], [], ["200", "400"]],
  ["post", "/api/queue/{id}/retry", [], ["id"], ["200", "400", "401", "403", "404", "409"]],
  ["get", "/api/nodes", ["since", "until", "policy", "library", "node"], [], ["200", "400"]],
  ["get", "/api/plugins", [], [], ["200"]],
  ["get", "/api/alerts", [], [], ["200"]],
  ["get", "/api/alerts/history", ["since", "rule", "limit"], [], ["200", "400"]],
  ["get", "/api/logs", ["level", "since", "until", "job", "run", "grep", "after", "limit"], [], ["200", "400"]],
  ["post", "/api/config/reload", [], [], ["200", "401", "403", "422", "503"]],
  ["get", "/health", [], [], ["200"]],
  ["get", "/api/events", [], [], []],
  ["get", "/metrics", [], [], []],
];

describe("OpenAPI document at /swagger/json", () => {
  test("is OpenAPI 3.1 and lists exactly the API routes (no dashboard or asset routes)", () => {
    expect(spec.openapi).toStartWith("3.1");
    const listed = Object.entries(spec.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)).sort();
    expect(listed).toEqual(ROUTES.map(([m, p]) => `${m} ${p}`).sort());
  });

  test.each(ROUTES)("%s %s documents its parameters and JSON responses", (method, path, query, pathParams, statuses) => {
    const op = spec.paths[path]![method]!;
    expect(op.summary).toBeString();
    expect(op.tags?.length).toBe(1);
    const params = op.parameters ?? [];
    expect(params.filter((p) => p.in === "query").map((p) => p.name).sort()).toEqual([...query].sort());
    expect(params.filter((p) => p.in === "path").map((p) => p.name)).toEqual(pathParams);
    for (const p of params) expect(p.schema.type).toBe("string");
    for (const status of statuses) {
      const schema = op.responses?.[status]?.content?.["application/json"]?.schema;
      expect({ status, schema: schema === undefined ? "missing" : "present" }).toEqual({ status, schema: "present" });
    }
  });

  test("response schemas carry the field names of the views, and errors share one shape", () => {
    const summary = spec.paths["/api/stats/summary"]!.get!.responses!["200"]!.content!["application/json"]!.schema as { properties: Record<string, unknown> };
    expect(Object.keys(summary.properties)).toContain("avg_savings_percent");
    const error = spec.paths["/api/stats/summary"]!.get!.responses!["400"]!.content!["application/json"]!.schema as { required: string[] };
    expect(error.required).toEqual(["error", "code"]);
  });

  test("query parameters keep their constraints: patterns, choices and descriptions", () => {
    const params = Object.fromEntries(spec.paths["/api/stats/policies"]!.get!.parameters!.map((p) => [p.name, p.schema]));
    expect(params.sort).toMatchObject({ enum: ["files", "savings", "time"] });
    expect(params.since).toMatchObject({ pattern: expect.any(String), description: expect.stringContaining("relative") });
    const limit = spec.paths["/api/stats/recent"]!.get!.parameters!.find((p) => p.name === "limit")!.schema;
    expect(limit.description).toContain("1–1000");
    // Swagger UI shows the parameter's own description.
    const since = spec.paths["/api/stats/summary"]!.get!.parameters!.find((p) => p.name === "since") as { description?: string };
    expect(since.description).toContain("relative 30m, 24h, 7d, 2w");
  });

  test("POST /api/stats/runs documents the import-format body, one run or an array", () => {
    const body = spec.paths["/api/stats/runs"]!.post!.requestBody!.content["application/json"]!.schema as { anyOf: { properties?: Record<string, unknown>; type: string }[] };
    expect(body.anyOf.map((s) => s.type)).toEqual(["object", "array"]);
    expect(Object.keys(body.anyOf[0]!.properties!)).toEqual(expect.arrayContaining(["file_path", "processed_at", "policy_name", "success", "actions", "phases"]));
  });

  test("Swagger UI page loads its script and styles from this server, not a CDN", async () => {
    const html = await (await s.request("/swagger")).text();
    expect(html).toContain('src="/swagger/assets/swagger-ui-bundle.js"');
    expect(html).toContain("/swagger/assets/swagger-ui.css");
    expect(html).not.toMatch(/https?:\/\/(unpkg|cdn|jsdelivr)/);
    expect(html).toMatch(/<meta\s+name="description"\s+content="[^"]*Writes need[^"]*"\s*\/>/); // attribute not broken by quotes
    const js = await s.request("/swagger/assets/swagger-ui-bundle.js");
    expect([js.status, (await js.text()).length > 100_000]).toEqual([200, true]);
  });
});
