import { afterAll, beforeAll, expect, test } from "bun:test";
import * as v from "valibot";
import { RunPageSchema } from "../../core/mod.ts";
import { AUTH, newRun, type Seeded, seededServer, SID } from "./_seed.ts";

let s: Seeded;
beforeAll(async () => (s = await seededServer()));
afterAll(() => s.close());

async function page(query: string) {
  const res = await s.request(`/api/stats/runs${query}`);
  expect({ query, status: res.status }).toEqual({ query, status: 200 });
  return v.parse(RunPageSchema, await res.json());
}

test("GET /api/stats/runs pages through every run newest first, following next_cursor", async () => {
  const first = await page("?limit=4");
  expect(first.runs.map((r) => r.stats_id)).toEqual([SID.S6, SID.S5, SID.S4, SID.S3]);
  expect(first.has_more).toBe(true);
  const second = await page(`?limit=4&cursor=${first.next_cursor}`);
  expect(second).toMatchObject({ has_more: false, next_cursor: null });
  expect(second.runs.map((r) => r.stats_id)).toEqual([SID.S2, SID.S1]);
});

test("GET /api/stats/runs filters by path text, policy, status and dates together", async () => {
  expect((await page("?q=A.MKV")).runs.map((r) => r.stats_id)).toEqual([SID.S4, SID.S1]);
  expect((await page("?status=failed")).runs.map((r) => [r.stats_id, r.error_message])).toEqual([[SID.S3, "ffmpeg exited with code 1"]]);
  expect((await page("?policy=strip&since=2026-01-11&until=2026-01-12")).runs.map((r) => r.stats_id)).toEqual([SID.S6, SID.S4]);
  expect((await page("?q=%25")).runs).toEqual([]); // a literal %, which no path holds
});

test("GET /api/stats/runs answers 400 with a one-line reason for a bad parameter", async () => {
  for (const [query, says] of [
    ["?limit=201", "limit"], ["?status=ok", "status"], ["?cursor=not%20a%20cursor", "cursor"], ["?cursor=bm9wZQ", "Invalid cursor"], ["?page=2", "page"],
  ] as const) {
    const res = await s.request(`/api/stats/runs${query}`);
    const body = await res.json();
    expect({ query, status: res.status }).toEqual({ query, status: 400 });
    expect(body.error).toContain(says);
  }
});

test("POST /api/stats/runs still records runs beside the GET, and the next search shows them", async () => {
  const res = await s.request("/api/stats/runs", { method: "POST", body: JSON.stringify(newRun({ processed_at: "2026-01-13T00:00:00Z" })), headers: { ...AUTH, "content-type": "application/json" } });
  expect(res.status).toBe(201);
  const { id } = await res.json();
  expect((await page("?limit=1")).runs.map((r) => r.stats_id)).toEqual([id]);
});
