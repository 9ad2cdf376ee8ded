import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Seeded, seededServer, SID } from "./_seed.ts";
import { forEachDialect } from "../dialects.ts";

forEachDialect("HTTP errors", (dialect) => {
let s: Seeded;
beforeAll(async () => (s = await seededServer({ dialect })));
afterAll(() => s.close());

async function expectError(path: string, status: number, code: string, mentions: string[] = [], init?: RequestInit) {
  const res = await s.request(path, init);
  const text = await res.text();
  expect({ path, status: res.status }).toEqual({ path, status });
  expect(res.headers.get("content-type")).toStartWith("application/json");
  const body = JSON.parse(text);
  expect(body.code).toBe(code);
  expect(typeof body.error).toBe("string");
  for (const m of mentions) expect(body.error).toContain(m);
  expect(text).not.toMatch(/\n\s+at |\.ts:\d+/); // never a stack trace
  return body;
}

describe("unknown query parameters are refused, naming them", () => {
  test.each([
    ["/api/stats/summary?sinse=7d", ['"sinse"', 'did you mean "since"', "accepted: since, until, policy"]],
    ["/api/stats/recent?limit=5&offset=10", ['"offset"', "accepted: limit, policy"]],
    ["/api/stats/policies?policy=strip", ['"policy"']],
    ["/api/stats/trends?groupBy=week", ['"groupBy"', 'did you mean "group_by"']],
    [`/api/stats/${SID.S1}?verbose=1`, ['"verbose"', "accepted: none"]],
    ["/api/jobs?state=running", ['"state"']],
    ["/health?x=1", ['"x"']],
    ["/api/stats/purge?before=2026-01-01&force=true", ['"force"']],
  ])("%s", async (path, mentions) => {
    const init = path.includes("purge") ? { method: "DELETE", headers: { authorization: "Bearer s3cret" } } : undefined;
    const body = await expectError(path, 400, "UNKNOWN_PARAMETER", mentions, init);
    expect(body.details[0]).toMatchObject({ in: "query" });
  });
});

describe("invalid values answer 400 naming the field and what was expected", () => {
  test.each([
    ["/api/stats/summary?since=yesterday", "INVALID_ARGUMENT", ['since="yesterday"', "relative time (30m, 24h, 7d, 2w)"]],
    ["/api/stats/summary?since=2026-02-30", "INVALID_ARGUMENT", ['since "2026-02-30"']],
    ["/api/stats/summary?since=2026-01-12&until=2026-01-10", "INVALID_ARGUMENT", ["since (2026-01-12) is not before until (2026-01-10)"]],
    ["/api/stats/summary?policy=", "INVALID_ARGUMENT", ["policy", "non-empty"]],
    ["/api/stats/recent?limit=0", "INVALID_ARGUMENT", ['limit="0"', "positive integer up to 1000"]],
    ["/api/stats/recent?limit=5000", "INVALID_ARGUMENT", ["positive integer up to 1000"]],
    ["/api/stats/recent?limit=ten", "INVALID_ARGUMENT", ['limit="ten"']],
    ["/api/stats/recent?limit=1&limit=2", "INVALID_ARGUMENT", ["limit", "given more than once"]],
    ["/api/stats/policies?sort=name", "INVALID_ARGUMENT", ['sort="name"', "one of files, savings, time"]],
    ["/api/stats/trends?group_by=year", "INVALID_ARGUMENT", ["group_by", "day, week, month"]],
    ["/api/stats/files/abc", "INVALID_ARGUMENT", ['path parameter file_id="abc"', "positive integer"]],
    ["/api/stats/abc", "INVALID_ARGUMENT", ['"abc" is too short', "at least 4 characters"]],
    ["/api/jobs?status=done", "INVALID_ARGUMENT", ["status", "queued, running, completed, failed, cancelled"]],
    ["/api/jobs/ab", "INVALID_ARGUMENT", ["too short"]],
  ])("%s", async (path, code, mentions) => {
    await expectError(path, 400, code, mentions);
  });

  test("a value that is not a number is one problem, said once", async () => {
    const body = await expectError("/api/stats/recent?limit=ten", 400, "INVALID_ARGUMENT");
    expect(body.error).toBe('Invalid query parameter limit="ten": expected a positive integer up to 1000');
    expect(body.details).toHaveLength(1);
  });

  test("times past the calendar's ends: a window open at 9999-12-31 counts every run; one starting after 9999-12-01 or before 0001 is refused", async () => {
    const all = await (await s.request("/api/stats/summary")).json();
    const res = await s.request("/api/stats/summary?until=9999-12-31");
    expect([res.status, (await res.json()).total_files_processed]).toEqual([200, all.total_files_processed]);
    await expectError("/api/stats/summary?since=9999-12-31T12:00:00Z", 400, "INVALID_ARGUMENT", ["starts on 9999-12-01 at the latest"]);
    await expectError("/api/stats/metrics?since=1000000d", 400, "INVALID_ARGUMENT", ["outside the years 0001–9999"]);
  });

  test("compare names its query parameters, not the CLI's flags", async () => {
    const half = await expectError("/api/stats/compare?since=2026-01-01", 400, "INVALID_ARGUMENT");
    expect(half.error).toBe("Comparing windows needs both since and until");
    const both = await expectError("/api/stats/compare?period=week&to_since=2026-01-01", 400, "INVALID_ARGUMENT");
    expect(both.error).toBe("Give either period or windows (since/until, to_since/to_until), not both");
  });

  test("an ambiguous run id prefix lists the candidates in details", async () => {
    const body = await expectError("/api/stats/0a00", 400, "AMBIGUOUS_ID", ['"0a00" is ambiguous']);
    expect(body.details.map((c: { id: string }) => c.id)).toEqual([SID.S1, SID.S2]);
  });
});

describe("odd input never causes a 500", () => {
  test.each([
    "/api/stats/summary?since=99999999999d",
    "/api/stats/summary?since=%zz",
    "/api/stats/summary?%zz=1",
    "/api/stats/summary?since=2026-01-01T25:99",
    "/api/stats/policies/%zz",
    "/api/stats/%E0%A4%A",
    "/api/stats/%00%00%00%00",
    "/api/stats/files/99999999999999999999",
    `/api/stats/policies/${"x".repeat(5000)}`,
    "/api/jobs?since=2026-02-30",
  ])("GET %s", async (path) => {
    const res = await s.request(path);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect((await res.json()).code).toBeString();
  });

  test.each(["null", '"x"', "[[1]]", "1e999", '{"__proto__": {"a": 1}}', "[null]", "true"])("POST body %s answers 422", async (body) => {
    const res = await s.request("/api/stats/runs", { method: "POST", body, headers: { authorization: "Bearer s3cret" } });
    expect([res.status, (await res.json()).code]).toEqual([422, "INVALID_RECORD"]);
  });

  test.each(["before=99999999999d", "before=2026-13-01", "policy=%20"])("DELETE purge?%s answers 400", async (query) => {
    const res = await s.request(`/api/stats/purge?dry_run=true&${query}`, { method: "DELETE", headers: { authorization: "Bearer s3cret" } });
    expect(res.status).toBe(400);
  });
});

describe("unknown things answer 404", () => {
  test.each([
    ["/api/stats/ffffffff", "NOT_FOUND", ['No run with id "ffffffff"']],
    ["/api/stats/files/999", "NOT_FOUND", ["No file with id 999"]],
    ["/api/stats/policies/nothing", "NOT_FOUND", ['Policy "nothing"']],
    ["/api/jobs/ffffffff", "NOT_FOUND", ['No job with id "ffffffff"']],
    ["/api/nothing", "NOT_FOUND", ["No route GET /api/nothing"]],
    ["/dashboard/../../package.json", "NOT_FOUND", []],
    ["/swagger/assets/index.html", "NOT_FOUND", ["No such file"]],
  ])("%s", async (path, code, mentions) => {
    await expectError(path, 404, code, mentions);
  });
});

describe("request bodies", () => {
  const post = (body: BodyInit, headers: Record<string, string> = {}) => ({
    method: "POST",
    body,
    headers: { authorization: "Bearer s3cret", "content-type": "application/json", ...headers },
  });

  test("malformed JSON answers 400", async () => {
    await expectError("/api/stats/runs", 400, "MALFORMED_JSON", ["not valid JSON"], post('{"file_path": '));
  });

  test("an empty body answers 400", async () => {
    await expectError("/api/stats/runs", 400, "MALFORMED_JSON", ["empty"], post(""));
  });

  test("an invalid record answers 422 naming each field", async () => {
    const body = await expectError(
      "/api/stats/runs",
      422,
      "INVALID_RECORD",
      ["processed_at", "success: Invalid type: Expected boolean", 'unknown key "sise_before" (did you mean "size_before"?)'],
      post(JSON.stringify({ file_path: "/m/x.mkv", policy_name: "strip", success: "yes", sise_before: 1 })),
    );
    expect(body.details.length).toBe(3);
  });

  test("a record whose derived field contradicts its inputs answers 422", async () => {
    const run = { file_path: "/m/x.mkv", processed_at: "2026-01-01T00:00:00Z", policy_name: "p", success: true, size_before: 10, size_after: 4, size_change: 5 };
    await expectError("/api/stats/runs", 422, "INVALID_RECORD", ["size_change is 5 but size_before − size_after is 6"], post(JSON.stringify(run)));
  });

  test("a batch with one bad record stores nothing and names its index", async () => {
    const before = (await (await s.request("/api/stats/summary")).json()).total_files_processed;
    const good = { file_path: "/m/x.mkv", processed_at: "2026-01-01T00:00:00Z", policy_name: "p", success: true };
    await expectError("/api/stats/runs", 422, "INVALID_RECORD", ["index 1"], post(JSON.stringify([good, { ...good, success: 1 }])));
    expect((await (await s.request("/api/stats/summary")).json()).total_files_processed).toBe(before);
  });

  test("an empty batch answers 422", async () => {
    await expectError("/api/stats/runs", 422, "INVALID_RECORD", ["empty"], post("[]"));
  });

  test("a run id that is already recorded answers 409", async () => {
    const run = { id: SID.S1, file_path: "/m/x.mkv", processed_at: "2026-01-01T00:00:00Z", policy_name: "p", success: true };
    await expectError("/api/stats/runs", 409, "DUPLICATE_RUN", ["already recorded"], post(JSON.stringify(run)));
  });

  test("a body over the limit answers 413, by Content-Length or by the bytes actually sent", async () => {
    const small = await seededServer({ dialect, seed: false, bodyLimit: 1024 });
    try {
      const big = JSON.stringify({ file_path: "x".repeat(2000) });
      const byLength = await small.request("/api/stats/runs", post(big));
      expect([byLength.status, (await byLength.json()).code]).toEqual([413, "PAYLOAD_TOO_LARGE"]);
      // A streamed body has no Content-Length: the limit applies to what arrives.
      const stream = new ReadableStream({
        start(c) {
          for (let i = 0; i < 4; i++) c.enqueue(new TextEncoder().encode("x".repeat(500)));
          c.close();
        },
      });
      const streamed = await small.request("/api/stats/runs", { ...post(stream), duplex: "half" } as RequestInit);
      expect([streamed.status, (await streamed.json()).error]).toEqual([413, "Request body exceeds the limit of 1024 bytes (server.body_limit_bytes)"]);
    } finally {
      await small.close();
    }
  });
});
});
