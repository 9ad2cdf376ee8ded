import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { RunRecordedEvent } from "../../core/mod.ts";
import { AUTH, newRun, type Seeded, seededServer } from "./_seed.ts";
import { forEachDialect } from "../dialects.ts";

forEachDialect("HTTP writes", (dialect) => {
const postRun = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  body: JSON.stringify(body),
  headers: { "content-type": "application/json", ...headers },
});
const purge = (query: string, headers: Record<string, string> = {}): [string, RequestInit] => [`/api/stats/purge?${query}`, { method: "DELETE", headers }];

describe("authorisation matrix for writes", () => {
  const cases: { server: string; token: string | null; header: Record<string, string>; status: number; code: string }[] = [
    { server: "no token configured", token: null, header: {}, status: 403, code: "WRITES_DISABLED" },
    { server: "no token configured", token: null, header: AUTH, status: 403, code: "WRITES_DISABLED" },
    { server: "token configured", token: "s3cret", header: {}, status: 401, code: "UNAUTHORIZED" },
    { server: "token configured", token: "s3cret", header: { authorization: "Bearer wrong" }, status: 401, code: "UNAUTHORIZED" },
    { server: "token configured", token: "s3cret", header: { authorization: "Basic czNjcmV0" }, status: 401, code: "UNAUTHORIZED" },
    { server: "token configured", token: "s3cret", header: AUTH, status: 0, code: "" },
  ];
  for (const c of cases) {
    const given = c.header.authorization ?? "no header";
    test(`${c.server}, ${given}: POST and DELETE answer ${c.status || "201 / 200"}`, async () => {
      const s = await seededServer({ dialect, token: c.token });
      try {
        const posted = await s.request("/api/stats/runs", postRun(newRun(), c.header));
        const deleted = await s.request(...purge("policy=remux&dry_run=true", c.header));
        if (c.status) {
          for (const res of [posted, deleted]) {
            const body = await res.json();
            expect([res.status, body.code]).toEqual([c.status, c.code]);
            if (c.status === 403) expect(body.error).toContain("--token <secret>, set VPO_TOKEN, or put token =");
            // RFC 6750: a 401 tells the client how to authenticate.
            if (c.status === 401) expect(res.headers.get("www-authenticate")).toStartWith('Bearer realm="vpo"');
          }
          expect((await (await s.request("/api/stats/summary")).json()).total_files_processed).toBe(6);
        } else {
          expect(posted.status).toBe(201);
          expect(deleted.status).toBe(200);
        }
      } finally {
        await s.close();
      }
    });
  }

  test("authorisation is checked before the body is read: a bad token with malformed JSON answers 401", async () => {
    const s = await seededServer({ dialect });
    try {
      const res = await s.request("/api/stats/runs", { method: "POST", body: "{not json", headers: { authorization: "Bearer nope" } });
      expect(res.status).toBe(401);
      const del = await s.request(...purge("force=1", { authorization: "Bearer nope" }));
      expect(del.status).toBe(401);
    } finally {
      await s.close();
    }
  });

  test("one guard covers every write, whatever its route: nothing is written or even routed without the token", async () => {
    const s = await seededServer({ dialect });
    try {
      for (const [method, path] of [["PUT", "/api/stats/runs"], ["PATCH", "/api/jobs/x"], ["DELETE", "/api/anything"], ["POST", "/api/nowhere"]]) {
        const res = await s.request(path!, { method });
        expect({ method, path, status: res.status }).toEqual({ method, path, status: 401 });
      }
    } finally {
      await s.close();
    }
  });

  test("reads never need a token", async () => {
    const s = await seededServer({ dialect, token: null });
    try {
      expect((await s.request("/api/stats/summary")).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe("POST /api/stats/runs", () => {
  let s: Seeded;
  const events: RunRecordedEvent[] = [];
  beforeAll(async () => {
    s = await seededServer({ dialect });
    s.bus.on("run.recorded", (e) => events.push(e));
  });
  afterAll(() => s.close());

  test("stores one run, answers 201 with its id, announces run.recorded and refreshes cached views", async () => {
    expect((await (await s.request("/api/stats/summary")).json()).total_files_processed).toBe(6);
    const res = await s.request("/api/stats/runs", postRun(newRun({ policy_name: "posted" }), AUTH));
    expect(res.status).toBe(201);
    const { id } = await res.json();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    for (let i = 0; i < 100 && events.at(-1)?.id !== id; i++) await Bun.sleep(10); // announced through the run feed
    expect(events.at(-1)).toMatchObject({ id, policy_name: "posted", size_change: 1000, success: true, status: "success" });
    expect((await (await s.request("/api/stats/summary")).json()).total_files_processed).toBe(7);
    const detail = await (await s.request(`/api/stats/${id}`)).json();
    expect(detail).toMatchObject({ file_path: "/m/posted.mkv", size_before: 3000, size_after: 2000 });
  });

  test("stores a JSON array as one batch and answers every id in order", async () => {
    const runs = [newRun({ file_path: "/m/p1.mkv" }), newRun({ file_path: "/m/p2.mkv" })];
    const res = await s.request("/api/stats/runs", postRun(runs, AUTH));
    expect(res.status).toBe(201);
    const { ids } = await res.json();
    expect(ids.length).toBe(2);
    const recent = await (await s.request("/api/stats/recent?limit=50")).json();
    expect(ids.map((id: string) => recent.find((r: { stats_id: string }) => r.stats_id === id)?.file_path)).toEqual(["/m/p1.mkv", "/m/p2.mkv"]);
  });

  test("accepts a body sent without a JSON content type (curl -d)", async () => {
    const res = await s.request("/api/stats/runs", { method: "POST", body: JSON.stringify(newRun()), headers: { ...AUTH, "content-type": "application/x-www-form-urlencoded" } });
    expect(res.status).toBe(201);
  });
});

describe("DELETE /api/stats/purge", () => {
  test("a dry run counts, a real purge deletes, rebuilds the rollup and refreshes views and metrics", async () => {
    const s = await seededServer({ dialect });
    try {
      const dry = await (await s.request(...purge("before=2026-01-11&dry_run=true", AUTH))).json();
      expect(dry).toEqual({ dry_run: true, removed: { processing_stats: 2, action_results: 3, performance_metrics: 3, plugin_metrics: 2, plugin_errors: 0 } });
      expect((await (await s.request("/api/stats/summary")).json()).total_files_processed).toBe(6);
      const real = await (await s.request(...purge("before=2026-01-11", AUTH))).json();
      expect(real).toMatchObject({ dry_run: false, removed: { processing_stats: 2 } });
      const summary = await (await s.request("/api/stats/summary")).json();
      expect([summary.total_files_processed, summary.earliest_processing]).toEqual([4, "2026-01-11T09:00:00.000Z"]);
      await (await s.server.feed).settled();
      await Bun.sleep(20);
      expect(await (await s.request("/metrics")).text()).toContain('vpo_runs_total{policy="strip",status="success"} 2');
    } finally {
      await s.close();
    }
  });

  test("needs before, policy or all=true, and all=true alone", async () => {
    const s = await seededServer({ dialect });
    try {
      const none = await s.request(...purge("dry_run=true", AUTH));
      expect([none.status, (await none.json()).error]).toEqual([400, "A purge needs a cutoff time, a policy, or to be told to delete every run: refusing to guess which runs to delete"]);
      const both = await s.request(...purge("all=true&policy=strip", AUTH));
      expect([both.status, (await both.json()).error]).toEqual([400, "A purge of every run cannot also name a cutoff time or a policy"]);
      const all = await (await s.request(...purge("all=1", AUTH))).json();
      expect(all.removed.processing_stats).toBe(6);
      expect((await (await s.request("/api/stats/summary")).json()).total_files_processed).toBe(0);
    } finally {
      await s.close();
    }
  });
});
});
