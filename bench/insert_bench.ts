/**
 * Insert throughput of the one write path every run takes (`storeRuns`: the run, its actions,
 * phases and plugin metrics, the rollups and the run feed, in one write transaction), in-process,
 * one run per transaction (what `vpo process` and a POST of one run do) and in batches of 1,000
 * (what an import or a large POST does), on SQLite and PostgreSQL. The baseline in the same run:
 * the same runs as one bare `INSERT` of the run row each, one transaction per run, on SQLite.
 *
 *   ./node_modules/.bin/bun bench/insert_bench.ts [--quick] [--repeat 5] [--no-pg]
 *
 * Synthetic runs as in the other benches (2 actions, 2 phases, 18 plugin metrics a run).
 * --quick: 300 single-run transactions and 5,000 batched runs, 3 repeats.
 */
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { normalizeRunRecord, openDatabase, type RunRecord, storeRuns } from "../core/mod.ts";
import { pgCluster, pgUnavailable } from "../tests/pg_cluster.ts";
import { announce, spread } from "./_machine.ts";
import { syntheticRun } from "./_synthetic_runs.ts";

const { values } = parseArgs({
  options: { quick: { type: "boolean", default: false }, repeat: { type: "string" }, "no-pg": { type: "boolean", default: false } },
});
const repeats = Number(values.repeat ?? (values.quick ? 3 : 5));
const SINGLE = values.quick ? 300 : 1_000;
const BATCHED = values.quick ? 5_000 : 20_000;
const BATCH = 1_000;

const runsFrom = (offset: number, n: number): RunRecord[] =>
  Array.from({ length: n }, (_, i) => normalizeRunRecord(syntheticRun(i, n, { idOffset: offset })));

/** Runs per second storing `runs` into a fresh database at `location`, `perTx` runs a transaction. */
async function storeRate(location: string, runs: RunRecord[], perTx: number): Promise<number> {
  const handle = await openDatabase(location);
  try {
    const t0 = performance.now();
    for (let i = 0; i < runs.length; i += perTx) await storeRuns(handle.db, runs.slice(i, i + perTx));
    return runs.length / ((performance.now() - t0) / 1000);
  } finally {
    await handle.close();
  }
}

/** The baseline: the run row alone, one prepared INSERT a transaction, no details, rollups or feed. */
function bareRate(runs: RunRecord[]): number {
  const dir = mkdtempSync(join(tmpdir(), "vpo-insert-bare-"));
  const db = new Database(join(dir, "bare.db"));
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL");
  db.exec("create table runs (id text primary key, file_path text, policy_name text, processed_at text, size_before integer, size_after integer, success integer)");
  const insert = db.prepare("insert into runs values (?, ?, ?, ?, ?, ?, ?)");
  const t0 = performance.now();
  for (const r of runs) {
    db.exec("BEGIN IMMEDIATE");
    insert.run(r.id, r.file_path, r.policy_name, r.processed_at, r.size_before, r.size_after, r.success ? 1 : 0);
    db.exec("COMMIT");
  }
  const rate = runs.length / ((performance.now() - t0) / 1000);
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return rate;
}

const bench = announce("insert throughput (storeRuns)");
const pgSkip = values["no-pg"] ? "--no-pg" : pgUnavailable();
const rows: string[][] = [];
const rates: Record<string, number[]> = {};
const add = (name: string, rate: number) => (rates[name] ??= []).push(rate);

for (let r = 0; r < repeats; r++) {
  const single = runsFrom(r * 10_000_000, SINGLE);
  const batched = runsFrom(r * 10_000_000 + 5_000_000, BATCHED);
  const dir = mkdtempSync(join(tmpdir(), "vpo-insert-"));
  add("bare", bareRate(single));
  add("sqlite 1", await storeRate(join(dir, "one.db"), single, 1));
  add(`sqlite ${BATCH}`, await storeRate(join(dir, "batch.db"), batched, BATCH));
  if (!pgSkip) {
    add("postgres 1", await storeRate(await pgCluster().createDatabase(), single, 1));
    add(`postgres ${BATCH}`, await storeRate(await pgCluster().createDatabase(), batched, BATCH));
  }
  rmSync(dir, { recursive: true, force: true });
  process.stderr.write(`repeat ${r + 1}/${repeats} done\n`);
}

const label: Record<string, string> = {
  bare: `SQLite, bare INSERT of the run row, 1 a transaction (baseline), ${SINGLE} runs`,
  "sqlite 1": `SQLite, storeRuns, 1 run a transaction, ${SINGLE} runs`,
  [`sqlite ${BATCH}`]: `SQLite, storeRuns, ${BATCH} runs a transaction, ${BATCHED} runs`,
  "postgres 1": `PostgreSQL, storeRuns, 1 run a transaction, ${SINGLE} runs`,
  [`postgres ${BATCH}`]: `PostgreSQL, storeRuns, ${BATCH} runs a transaction, ${BATCHED} runs`,
};
for (const [name, list] of Object.entries(rates)) rows.push([label[name]!, spread(list, 0)]);
const ratio = rates["sqlite 1"]!.map((x, i) => x / rates.bare![i]!);
console.log(`\n| insert | runs/s (median, min–max over ${repeats}) |\n|---|---|`);
for (const [a, b] of rows) console.log(`| ${a} | ${b} |`);
console.log(`\nstoreRuns, 1 run a transaction ÷ bare INSERT, per repeat: ${spread(ratio, 2)}`);
if (pgSkip) console.log(`PostgreSQL not measured: ${pgSkip}`);
bench.done();
process.exit(0);
