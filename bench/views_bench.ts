/**
 * Every stats view at 10k, 100k and 1M runs of synthetic history (two years, 18 plugin metrics a
 * run), in-process and over HTTP (`vpo serve` in a subprocess), on SQLite and (with --pg)
 * PostgreSQL. Target: each view at 1M within 2× of itself at 10k. Next to it, the baseline: the
 * same view computed by one pass of SQL over the raw runs (what the original VPO does), for the
 * views that have one.
 *
 *   ./node_modules/.bin/bun bench/views_bench.ts [--quick] [--repeat 7] [--sizes 10000,100000,1000000] [--pg] [--pg-server URL] [--no-http] [--raw-upto 100000]
 *
 * Each request asks a window of its own (the start moves by a millisecond), so no cache answers.
 * --quick: 10k and 50k runs, 3 repeats. SQLite databases are built once into the temp dir and
 * reused (through storeRuns, the path every run takes); PostgreSQL ones are copied from them per
 * run (`vpo db copy`'s copyDatabase: the same rows, without folding every batch again there) into a
 * throwaway server — or, with --pg-server postgres://user@host:port/db (a server of your own, a
 * user that may create databases), copied once into databases named by size and schema version
 * there and reused by later runs (the 1M copy takes about ten minutes).
 * 10M runs (`--sizes 10000,100000,1000000,10000000`, SQLite) is a 21.5 GB file, built in about
 * 34 minutes the first time.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  getBreakdown, getCodecDistribution, getFailures, getMetricAggregates, getPhaseTimes, getPolicyStats, getRecentRuns, getSummary, getTrends, listNodes, openDatabase, type Db,
} from "../core/mod.ts";
import { LATEST_SCHEMA_VERSION } from "../core/db/migrations/mod.ts";
import { codecsFrom } from "../core/repository/codecs.ts";
import { phaseTotals } from "../core/repository/_phase_rollup.ts";
import { metricsFrom } from "../core/repository/metrics.ts";
import { copyDatabase } from "../core/repository/copy.ts";
import { policyStatsFrom } from "../core/repository/policies.ts";
import { summaryFrom } from "../core/repository/summary.ts";
import { trendsFrom } from "../core/repository/trends.ts";
import { announce, median, serveForBench, spread } from "./_machine.ts";
import { syntheticDatabase } from "./_synthetic_runs.ts";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    repeat: { type: "string" },
    sizes: { type: "string" },
    pg: { type: "boolean", default: false },
    "pg-server": { type: "string" },
    "no-http": { type: "boolean", default: false },
    /** The raw one-pass baselines only up to this many runs (a raw metrics pass over 1M runs takes a minute). */
    "raw-upto": { type: "string" },
  },
});
const QUICK = values.quick;
const REPEAT = Number(values.repeat ?? (QUICK ? 3 : 7));
const SIZES = (values.sizes ?? (QUICK ? "10000,50000" : "10000,100000,1000000")).split(",").map(Number);
const RAW_UPTO = Number(values["raw-upto"] ?? 1_000_000);
const END = Date.UTC(2026, 0, 1);
const START = Date.UTC(2024, 0, 1);

/** A window over the whole history, its start moved by `i` ms so that no cache can answer. */
const whole = (i: number) => ({ since: new Date(START + i).toISOString(), until: new Date(END + 86_400_000).toISOString() });
/** A 30-day window starting at 13:37 (not at midnight): its edge days are read from the runs. */
const offMidnight = (i: number) => ({ since: new Date(Date.UTC(2025, 5, 1, 13, 37) + i).toISOString(), until: new Date(Date.UTC(2025, 6, 1, 9, 15)).toISOString() });
const range = (w: { since: string; until: string }) => w;

interface View {
  name: string;
  run(db: Db, i: number): Promise<unknown>;
  raw?(db: Db, i: number): Promise<unknown>;
  /** The same view over HTTP, where vpo serves it on its own. */
  http?(i: number): string;
}

const q = (w: Record<string, string>, extra = "") => `${new URLSearchParams(w)}${extra}`;
const VIEWS: View[] = [
  { name: "summary", run: (db, i) => getSummary(db, range(whole(i))), raw: (db, i) => summaryFrom(db, range(whole(i)), "raw"), http: (i) => `/api/stats/summary?${q(whole(i))}` },
  { name: "policies", run: (db, i) => getPolicyStats(db, range(whole(i))), raw: (db, i) => policyStatsFrom(db, range(whole(i)), "raw"), http: (i) => `/api/stats/policies?${q(whole(i))}` },
  { name: "trends by day", run: (db, i) => getTrends(db, { ...range(whole(i)), groupBy: "day" }), raw: (db, i) => trendsFrom(db, { ...range(whole(i)), groupBy: "day" }, "raw"), http: (i) => `/api/stats/trends?${q(whole(i), "&group_by=day")}` },
  { name: "codecs", run: (db, i) => getCodecDistribution(db, range(whole(i))), raw: (db, i) => codecsFrom(db, range(whole(i)), "raw"), http: (i) => `/api/stats/codecs?${q(whole(i))}` },
  { name: "metrics", run: (db, i) => getMetricAggregates(db, range(whole(i))), raw: (db, i) => metricsFrom(db, range(whole(i)), "raw"), http: (i) => `/api/stats/metrics?${q(whole(i))}` },
  { name: "nodes", run: (db, i) => getBreakdown(db, "node", range(whole(i))), http: (i) => `/api/stats/nodes?${q(whole(i))}` },
  { name: "nodes with speeds", run: (db, i) => listNodes(db, range(whole(i))), raw: (db, i) => phaseTotals(db, range(whole(i)), "node", "raw"), http: (i) => `/api/nodes?${q(whole(i))}` },
  { name: "phase timings", run: (db, i) => getPhaseTimes(db, range(whole(i))), raw: (db, i) => phaseTotals(db, range(whole(i)), "phase", "raw") },
  { name: "failures", run: (db, i) => getFailures(db, range(whole(i))) },
  { name: "failures, 30 days", run: (db, i) => getFailures(db, range(offMidnight(i))) },
  { name: "libraries", run: (db, i) => getBreakdown(db, "library", range(whole(i))), http: (i) => `/api/stats/libraries?${q(whole(i))}` },
  // recent takes no window: the limit moves instead (50 + i rows), so that no cache answers.
  { name: "recent (50)", run: (db, i) => getRecentRuns(db, { limit: 50 + i }), http: (i) => `/api/stats/recent?limit=${50 + i}` },
  { name: "summary, window off midnight", run: (db, i) => getSummary(db, range(offMidnight(i))), raw: (db, i) => summaryFrom(db, range(offMidnight(i)), "raw"), http: (i) => `/api/stats/summary?${q(offMidnight(i))}` },
];

async function timeIt(f: (i: number) => Promise<unknown>): Promise<number[]> {
  await f(0); // warm: statement cache, page cache
  const out: number[] = [];
  for (let i = 1; i <= REPEAT; i++) {
    const t = performance.now();
    await f(i);
    out.push(performance.now() - t);
  }
  return out;
}

const serve = (location: string) => serveForBench(location, join(tmpdir(), `vpo-bench-views-home-${process.pid}`));

type Row = { view: string; where: string; size: number; ms: number[]; raw?: number[] };
const results: Row[] = [];
const bench = announce(`vpo views — synthetic history over two years, 18 plugin metrics a run; ${REPEAT} repeats per figure`);

async function measure(dialect: "SQLite" | "PostgreSQL", location: string, size: number): Promise<void> {
  const handle = await openDatabase(location, { access: "read" });
  try {
    for (const view of VIEWS) {
      const ms = await timeIt((i) => view.run(handle.db, i));
      const raw = view.raw && size <= RAW_UPTO ? await timeIt((i) => view.raw!(handle.db, i)) : undefined;
      results.push({ view: view.name, where: `${dialect} in-process`, size, ms, raw });
    }
  } finally {
    await handle.close();
  }
  if (values["no-http"]) return;
  const server = await serve(location);
  try {
    for (const view of VIEWS) {
      const path = view.http;
      if (path === undefined) continue;
      const ms = await timeIt(async (i) => {
        const res = await fetch(server.base + path(i));
        if (!res.ok) throw new Error(`${path(i)}: HTTP ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
      });
      results.push({ view: view.name, where: `${dialect} HTTP`, size, ms });
    }
  } finally {
    server.stop();
  }
}

/** The SQLite database of `size` synthetic runs, built once. Keyed by schema version: one cached by an older vpo would need migrating first. */
async function sqliteOf(size: number): Promise<string> {
  const t = performance.now();
  const path = await syntheticDatabase(join(tmpdir(), `vpo-bench-views-${size}-v${LATEST_SCHEMA_VERSION}.db`), size, { end: END });
  console.log(`SQLite ${size.toLocaleString("en-US")} runs ready in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return path;
}

for (const size of SIZES) await measure("SQLite", await sqliteOf(size), size);
/** A PostgreSQL copy of the SQLite database of `size` runs, made in a new database `url` names. */
async function copyOf(size: number, url: string): Promise<void> {
  const source = await openDatabase(await sqliteOf(size));
  const t = performance.now();
  const built = await openDatabase(url);
  // The copy analyses the tables after (autovacuum would get there a minute later; the bench reads at once).
  await copyDatabase(source.db, built.db);
  await Promise.all([built.close(), source.close()]);
  console.log(`PostgreSQL ${size.toLocaleString("en-US")} runs ready in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

/**
 * The database of `size` runs on the server of --pg-server, copied the first time: into a
 * database of a temporary name, renamed once complete, so an interrupted copy is never reused.
 */
async function keptCopyOf(size: number, server: string): Promise<string> {
  const pg = (await import("pg")).default;
  const name = `vpo_bench_views_${size}_v${LATEST_SCHEMA_VERSION}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    const { rowCount } = await admin.query("select 1 from pg_database where datname = $1", [name]);
    if (rowCount === 0) {
      await admin.query(`drop database if exists ${name}_partial`);
      await admin.query(`create database ${name}_partial`);
      const partial = new URL(server);
      partial.pathname = `/${name}_partial`;
      await copyOf(size, partial.toString());
      await admin.query(`alter database ${name}_partial rename to ${name}`);
    }
  } finally {
    await admin.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

if (values["pg-server"]) {
  for (const size of SIZES) await measure("PostgreSQL", await keptCopyOf(size, values["pg-server"]), size);
} else if (values.pg) {
  const { pgCluster } = await import("../tests/pg_cluster.ts");
  const cluster = pgCluster();
  for (const size of SIZES) {
    const url = await cluster.createDatabase();
    await copyOf(size, url);
    await measure("PostgreSQL", url, size);
  }
}

const fmt = (ms: number[]) => spread(ms, ms.length && median(ms) < 10 ? 2 : 1);
console.log(`\nms per view: median (min–max) of ${REPEAT}; raw = the same view by one pass over the runs\n`);
const wheres = [...new Set(results.map((r) => r.where))];
const smallest = SIZES[0]!;
const largest = SIZES.at(-1)!;
console.log(`| view | where | ${SIZES.map((s) => `${s.toLocaleString("en-US")} runs`).join(" | ")} | ${largest.toLocaleString("en-US")} ÷ ${smallest.toLocaleString("en-US")} | raw at ${Math.min(largest, RAW_UPTO).toLocaleString("en-US")} |`);
console.log(`|---|---|${SIZES.map(() => "---|").join("")}---|---|`);
let worst = 0;
for (const where of wheres) {
  for (const view of VIEWS) {
    const rows = SIZES.map((size) => results.find((r) => r.where === where && r.view === view.name && r.size === size));
    if (!rows[0]) continue;
    const ratio = median(rows.at(-1)!.ms) / median(rows[0].ms);
    worst = Math.max(worst, ratio);
    const raw = [...rows].reverse().find((r) => r?.raw)?.raw;
    console.log(`| ${view.name} | ${where} | ${rows.map((r) => (r ? fmt(r.ms) : "—")).join(" | ")} | ${ratio.toFixed(2)}× | ${raw ? fmt(raw) : "—"} |`);
  }
}
console.log(`\nworst growth ${smallest.toLocaleString("en-US")} → ${largest.toLocaleString("en-US")}: ${worst.toFixed(2)}× (target ≤ 2×)`);
bench.done();
process.exit(0);
