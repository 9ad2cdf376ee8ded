import { describe, expect, test } from "bun:test";
import { cacheKey, createViewCache } from "./cache.ts";

describe("cacheKey", () => {
  test("is the path plus the query parameters sorted by name", () => {
    expect(cacheKey("http://localhost:8321/api/stats/summary")).toBe("/api/stats/summary");
    expect(cacheKey("http://h/api/stats/summary?policy=a&since=7d")).toBe(cacheKey("http://h/api/stats/summary?since=7d&policy=a"));
    expect(cacheKey("http://h/api/stats/summary?")).toBe("/api/stats/summary");
  });
});

describe("createViewCache", () => {
  test("loads once, then serves the stored body", async () => {
    const cache = createViewCache();
    let loads = 0;
    const load = async () => ({ n: ++loads });
    expect(await cache.through("/a", load)).toBe('{"n":1}');
    expect(await cache.through("/a", load)).toBe('{"n":1}');
    expect(cache.peek("/a")).toBe('{"n":1}');
  });

  test("concurrent misses share one load", async () => {
    const cache = createViewCache();
    let loads = 0;
    const load = async () => {
      loads++;
      await Bun.sleep(5);
      return loads;
    };
    const bodies = await Promise.all([cache.through("/a", load), cache.through("/a", load), cache.through("/a", load)]);
    expect([bodies, loads]).toEqual([["1", "1", "1"], 1]);
  });

  test("invalidate drops entries, and a load that started before it is not stored", async () => {
    const cache = createViewCache();
    let release = () => {};
    const pending = cache.through("/a", () => new Promise((resolve) => (release = () => resolve("old"))));
    cache.invalidate();
    release();
    expect(await pending).toBe('"old"');
    expect(cache.peek("/a")).toBeUndefined();
  });

  test("a query with a relative bound expires; others live until invalidated", async () => {
    let now = 0;
    const cache = createViewCache({ relativeTtlMs: 1000, now: () => now });
    await cache.through("/s?since=7d", async () => 1);
    await cache.through("/s?since=2026-01-01", async () => 2);
    now = 1001;
    expect(cache.peek("/s?since=7d")).toBeUndefined();
    expect(cache.peek("/s?since=2026-01-01")).toBe("2");
  });

  test("failed loads are not cached", async () => {
    const cache = createViewCache();
    await expect(cache.through("/a", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await cache.through("/a", async () => "ok")).toBe('"ok"');
  });

  test("holds at most maxEntries, evicting the oldest", async () => {
    const cache = createViewCache({ maxEntries: 2 });
    for (const k of ["/a", "/b", "/c"]) await cache.through(k, async () => k);
    expect([cache.peek("/a"), cache.peek("/b"), cache.peek("/c"), cache.size]).toEqual([undefined, '"/b"', '"/c"', 2]);
  });
});
