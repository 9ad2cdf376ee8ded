/**
 * HTTP load on `vpo serve` over a synthetic database (default 1M runs), through loopback:
 *
 *  1. GET /api/stats/summary with 50 connections (a cached view): requests/s and p99.
 *  2. GET /health latency while 4 clients request heavy views that miss the cache (codec
 *     distribution and plugin-metric aggregates over a unique window each time), i.e. whether
 *     long queries keep off the server's event loop: (a) a health checker probing every 5 ms,
 *     (b) /health saturated by 4 more connections.
 *
 *   npx bun bench/http_bench.ts [--runs 1000000] [--repeat 3] [--seconds 10] [--connections 50]
 *
 * The server is the real CLI in a subprocess; load comes from wrk (apt-get install wrk) or, if
 * absent, a bounded Bun client. Both share this machine's cores with the server: say so when
 * quoting the figures. The database is built once into the temp dir and reused.
 */
import { cpus, loadavg, release, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { hasWrk, type LoadResult, median, runBunLoad, runPacedProbe, runWrk } from "./_load.ts";
import { serveForBench } from "./_machine.ts";
import { syntheticDatabase } from "./_synthetic_runs.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "1000000" },
    repeat: { type: "string", default: "3" },
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "50" },
  },
});
const RUNS = Number(values.runs);
const REPEAT = Number(values.repeat);
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);

const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}, Bun ${Bun.version}`;
console.log(`machine: ${machine}`);
console.log(`load generator: ${hasWrk() ? "wrk -t1" : "bounded Bun client (wrk not installed)"}`);

const built = performance.now();
const dbPath = await syntheticDatabase(join(tmpdir(), `vpo-bench-http-${RUNS}.db`), RUNS);
console.log(`database: ${dbPath} (${RUNS.toLocaleString("en-US")} runs, ready in ${((performance.now() - built) / 1000).toFixed(1)} s)`);

const server = await serveForBench(dbPath, join(tmpdir(), `vpo-bench-http-home-${process.pid}`));
const base = server.base;
const started = performance.now();
await (await fetch(`${base}/metrics`)).text(); // waits for the metrics baseline: a full scan in the read worker
console.log(`server: ${base} (metrics baseline counted in ${((performance.now() - started) / 1000).toFixed(1)} s)`);

const fmt = (r: LoadResult) => `${Math.round(r.rps).toLocaleString("en-US")} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms${r.errors ? `, ${r.errors} errors` : ""}`;
const load = (url: string, connections: number) => (hasWrk() ? runWrk(url, connections, SECONDS) : runBunLoad(url, connections, SECONDS));

try {
  // 1. The summary: one uncached computation, then the cache.
  let t = performance.now();
  await (await fetch(`${base}/api/stats/summary`)).json();
  console.log(`\nGET /api/stats/summary, first (uncached) answer: ${(performance.now() - t).toFixed(1)} ms`);
  const summaryRuns: LoadResult[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const r = await load(`${base}/api/stats/summary`, CONNECTIONS);
    summaryRuns.push(r);
    console.log(`  run ${i + 1}: ${fmt(r)}`);
  }
  console.log(`  median: ${Math.round(median(summaryRuns.map((r) => r.rps))).toLocaleString("en-US")} req/s, p99 ${median(summaryRuns.map((r) => r.p99Ms)).toFixed(2)} ms (${CONNECTIONS} connections, ${summaryRuns[0]!.tool})`);

  // 2. /health while 4 clients keep requesting heavy views that miss the cache.
  let unique = 0;
  const heavyUrl = () => {
    unique++;
    const since = new Date(Date.UTC(2024, 0, 1) + (unique % 1000)).toISOString(); // a new window each time: never cached
    return unique % 2 ? `${base}/api/stats/codecs?since=${since}` : `${base}/api/stats/metrics?since=${since}`;
  };
  t = performance.now();
  await (await fetch(heavyUrl())).text();
  await (await fetch(heavyUrl())).text();
  console.log(`\nheavy views, one each alone: ${((performance.now() - t) / 2).toFixed(0)} ms average`);
  const probeRuns: LoadResult[] = [];
  const saturatedRuns: LoadResult[] = [];
  for (let i = 0; i < REPEAT; i++) {
    // a) a health checker: one /health every 5 ms, one at a time
    let heavy = runBunLoad(heavyUrl, 4, SECONDS);
    const probe = await runPacedProbe(`${base}/health`, 5, SECONDS);
    let h = await heavy;
    probeRuns.push(probe);
    console.log(`  run ${i + 1}a: /health probe every 5 ms: p50 ${probe.p50Ms.toFixed(2)} ms, p99 ${probe.p99Ms.toFixed(2)} ms (${probe.requests} probes); heavy views: ${h.requests} answered, p50 ${h.p50Ms.toFixed(0)} ms${h.errors ? `, ${h.errors} errors` : ""}`);
    // b) harsher: /health saturated by 4 connections at once
    heavy = runBunLoad(heavyUrl, 4, SECONDS);
    const saturated = await (hasWrk() ? runWrk(`${base}/health`, 4, SECONDS) : runBunLoad(`${base}/health`, 4, SECONDS));
    h = await heavy;
    saturatedRuns.push(saturated);
    console.log(`  run ${i + 1}b: /health saturated (4 connections): ${fmt(saturated)}; heavy views: ${h.requests} answered, p50 ${h.p50Ms.toFixed(0)} ms`);
  }
  console.log(`  median /health p99 under heavy views: probe ${median(probeRuns.map((r) => r.p99Ms)).toFixed(2)} ms, saturated ${median(saturatedRuns.map((r) => r.p99Ms)).toFixed(2)} ms`);
  console.log(`\nload average after: ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
} finally {
  server.stop();
  await server.exited;
}
