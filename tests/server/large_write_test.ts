import { afterAll, beforeAll, expect, test } from "bun:test";
import { createEventBus, createRegistry, openDatabase, type OpenedDatabase } from "../../core/mod.ts";
import { type RunningServer, startServer } from "../../server/mod.ts";
import { tempDir } from "./_seed.ts";

/**
 * One authorised POST of 20,000 runs (about 5 MB) must not stall the server: validation and
 * storage hand the event loop back every few milliseconds, so /health keeps answering while the
 * batch is written (it used to wait 20 s).
 */
let database: OpenedDatabase;
let server: RunningServer;
beforeAll(async () => {
  database = await openDatabase(`${tempDir()}/library.db`);
  server = await startServer({ database, bus: createEventBus(), registry: createRegistry(), token: "t0k", host: "127.0.0.1", port: 0, bodyLimit: 64 * 1024 * 1024 });
});
afterAll(async () => {
  await server.stop();
  await database.close();
});

test("/health answers within a second, every time, while a POST of 20,000 runs is stored", async () => {
  const runs = Array.from({ length: 20_000 }, (_, i) => ({
    file_path: `/m/${i}.mkv`, processed_at: "2026-03-01T00:00:00Z", policy_name: "bulk", success: true, size_before: 1000, size_after: 500,
    duration_seconds: 3, actions: [{ action_type: "remove", track_type: "audio", track_index: 1 }], phases: [{ phase_name: "remux", wall_time_seconds: 3 }],
  }));
  let done = false;
  const latencies: number[] = [];
  const probe = (async () => {
    while (!done) {
      const started = performance.now();
      const res = await fetch(`${server.url}/health`);
      expect(res.status).toBe(200);
      latencies.push(performance.now() - started);
      await Bun.sleep(5);
    }
  })();
  const started = performance.now();
  const res = await fetch(`${server.url}/api/stats/runs`, { method: "POST", body: JSON.stringify(runs), headers: { authorization: "Bearer t0k" } });
  const took = performance.now() - started;
  done = true;
  await probe;
  expect(res.status).toBe(201);
  expect((await res.json()).ids).toHaveLength(20_000);
  expect(latencies.length).toBeGreaterThan(Math.floor(took / 1000)); // probed all along
  expect(Math.max(...latencies)).toBeLessThan(1_000);
}, 120_000);
