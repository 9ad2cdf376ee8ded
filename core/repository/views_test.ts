import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { toOpenApiSchema } from "../json_schema.ts";
import * as v from "valibot";
import type { Db } from "../db/handle.ts";
import { ID, openTestDb } from "./_fixtures.ts";
import * as repo from "./mod.ts";
import * as views from "./views.ts";
import { forEachDialect } from "../../tests/dialects.ts";

forEachDialect("view schemas", (dialect) => {
let db: Db;
let close: () => Promise<void>;
beforeAll(async () => ({ db, close } = await openTestDb(dialect)));
afterAll(() => close());

describe("views", () => {
  const schemas = Object.entries(views).filter(([name]) => name.endsWith("Schema")) as [string, v.GenericSchema][];

  for (const [name, schema] of schemas) {
    test(`${name} converts to JSON Schema for OpenAPI without loss`, () => {
      expect(() => toOpenApiSchema(schema, { strict: true })).not.toThrow();
    });
  }

  test("every schema is exported from mod.ts", () => {
    for (const [name] of schemas) expect(repo).toHaveProperty(name);
  });

  test("what the queries return conforms to the published schemas", async () => {
    const check = (schema: v.GenericSchema, value: unknown) => {
      const result = v.safeParse(schema, value);
      expect(result.issues?.map((i) => `${v.getDotPath(i)}: ${i.message}`) ?? []).toEqual([]);
    };
    check(views.StatsSummarySchema, await repo.getSummary(db));
    check(views.StatsSummarySchema, await repo.getSummary(db, { since: "2030-01-01T00:00:00.000Z" }));
    for (const p of await repo.getPolicyStats(db)) check(views.PolicyStatsSchema, p);
    for (const r of await repo.getRecentRuns(db)) check(views.RecentRunSchema, r);
    for (const h of await repo.getFileHistory(db, { path: "/media/movies/a.mkv" })) check(views.FileProcessingHistorySchema, h);
    for (const t of await repo.getTrends(db, { groupBy: "week" })) check(views.TrendPointSchema, t);
    for (const m of await repo.getMetricAggregates(db)) check(views.MetricAggregateSchema, m);
    for (const id of Object.values(ID)) check(views.RunDetailSchema, await repo.getRunDetail(db, id));
    check(views.PurgeCountsSchema, await repo.purgeRuns(db, { all: true, dryRun: true }));
  });
});
});
