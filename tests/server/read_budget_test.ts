import { afterAll, beforeAll, expect, test } from "bun:test";
import { laneOf } from "../../server/reads/ops.ts";
import { forEachDialect } from "../dialects.ts";
import { type Seeded, seededServer } from "./_seed.ts";

/**
 * A read past its budget is stopped and answered 503 QUERY_TIMEOUT — never left to the
 * connection's idle timeout — and the server goes on answering; views that may scan runs have a
 * lane of their own, so the cheap ones never queue behind them.
 */
forEachDialect("read budget", (dialect) => {
  let s: Seeded;
  // A budget no query can meet: every read past it.
  beforeAll(async () => (s = await seededServer({ dialect, readBudgetMs: 1, readers: dialect.name === "sqlite" ? 1 : "inline" })));
  afterAll(() => s.close());

  test("a read past its budget answers 503 QUERY_TIMEOUT with a message; the server keeps answering", async () => {
    for (let i = 0; i < 3; i++) {
      const res = await s.request(`/api/stats/runs?q=x${i}`);
      const body = await res.json();
      expect(res.status).toBe(503);
      expect(body).toMatchObject({ code: "QUERY_TIMEOUT", error: expect.stringContaining("took longer than") });
      expect((await s.request("/health")).status).toBe(200);
    }
  });
});

test("searches and file histories have a lane of their own; summaries and feeds do not wait behind them", () => {
  expect(["runSearch", "fileHistory"].map((op) => laneOf(op as never))).toEqual(["slow", "slow"]);
  expect(["summary", "policies", "trends", "readFeed", "policyTotals", "recent"].map((op) => laneOf(op as never))).toEqual(Array(6).fill("fast"));
});
