/**
 * `vpo stats import` of synthetic history in vpo's own NDJSON export format (2 actions, 2 phases
 * and 18 plugin metrics a run: the heavy case), through the real CLI in a subprocess, next to a
 * plain loader in the same run: a bun:sqlite loop of prepared INSERTs of the same rows into the
 * same schema, in one transaction, with no validation and no rollups.
 *
 *   ./node_modules/.bin/bun bench/import_bench.ts [--quick] [--repeat 5] [--pg] [--no-million]
 *
 * Sizes: 50k runs (repeated), 200k and 1M (once each: the 1M import alone takes about a minute).
 * Peak RSS is reported per size: it must be the same at 200k as at 1M. --quick: 10k runs, 3
 * repeats, no large sizes. --pg also imports 50k into PostgreSQL (a throwaway cluster). NDJSON files are
 * generated once into the temp dir and reused.
 */
import { Database } from "bun:sqlite";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openDatabase } from "../core/mod.ts";
import { encodeMetrics } from "../core/repository/_metric_rows.ts";
import { announce, median, spread, timeProcess, VPO_MAIN } from "./_machine.ts";
import { syntheticNdjson } from "./_synthetic_runs.ts";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    repeat: { type: "string" },
    pg: { type: "boolean", default: false },
    "no-million": { type: "boolean", default: false },
    plain: { type: "string" }, // internal: run the plain loader on this file (--db)
    db: { type: "string" },
  },
});

if (values.plain) {
  await plainLoader(values.plain, values.db!);
  process.exit(0);
}

/**
 * The baseline: every line parsed and its rows inserted with prepared statements, in one
 * transaction — what a loader that trusts its input and keeps no rollup does.
 */
async function plainLoader(file: string, db: string): Promise<void> {
  const sqlite = new Database(db);
  sqlite.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL");
  const runColumns = ["id", "file_path", "processed_at", "policy_name", "policy_digest", "job_id", "node", "library", "status", "success", "error_message", "size_before", "size_after", "size_change", "audio_tracks_before", "audio_tracks_after", "audio_tracks_removed", "subtitle_tracks_before", "subtitle_tracks_after", "subtitle_tracks_removed", "attachments_before", "attachments_after", "attachments_removed", "duration_seconds", "phases_completed", "phases_total", "total_changes", "video_source_codec", "video_target_codec", "video_transcode_skipped", "video_skip_reason", "video_height", "audio_tracks_transcoded", "audio_tracks_preserved", "encoder_type", "hash_before", "hash_after"];
  const run = sqlite.prepare(`insert into processing_stats (${runColumns.join(", ")}) values (${runColumns.map(() => "?").join(", ")})`);
  const action = sqlite.prepare(`insert into action_results (stats_id, seq, action_type, track_type, track_index, before_state, after_state, success, duration_ms, rule_reference, message) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const phase = sqlite.prepare(`insert into performance_metrics (stats_id, seq, phase_name, wall_time_seconds, bytes_read, bytes_written, encoding_fps, encoding_bitrate) values (?, ?, ?, ?, ?, ?, ?, ?)`);
  const metric = sqlite.prepare("insert into plugin_metrics (stats_id, metrics) values (?, ?)");
  const flag = (b: unknown) => (b === null || b === undefined ? null : b ? 1 : 0);
  sqlite.exec("begin");
  const text = await Bun.file(file).text();
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    const r = JSON.parse(text.slice(start, end));
    start = end + 1;
    run.run(...(runColumns.map((c) => (c === "success" || c === "video_transcode_skipped" ? flag(r[c]) : r[c])) as never[]));
    r.actions.forEach((a: Record<string, unknown>, seq: number) =>
      action.run(r.id, seq, a.action_type as string, a.track_type as string, a.track_index as number, JSON.stringify(a.before_state), JSON.stringify(a.after_state), flag(a.success), a.duration_ms as number, a.rule_reference as string, a.message as string));
    r.phases.forEach((p: Record<string, number | string>, seq: number) =>
      phase.run(r.id, seq, p.phase_name!, p.wall_time_seconds!, p.bytes_read!, p.bytes_written!, p.encoding_fps ?? null, p.encoding_bitrate ?? null));
    const metrics = encodeMetrics(r.plugin_metrics);
    if (metrics !== null) metric.run(r.id, metrics);
  }
  sqlite.exec("commit");
  sqlite.close();
}

const QUICK = values.quick;
const REPEAT = Number(values.repeat ?? (QUICK ? 3 : 5));
const SMALL = QUICK ? 10_000 : 50_000;
const work = join(tmpdir(), "vpo-bench-import");
const bench = announce(`vpo stats import — synthetic history, 2 actions, 2 phases, 18 plugin metrics a run`);

async function emptyDatabase(path: string): Promise<string> {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(path + suffix, { force: true });
  const handle = await openDatabase(path); // created and migrated, as the CLI would
  await handle.close();
  return path;
}

async function vpoImport(file: string, db: string, n: number) {
  const sample = await timeProcess([process.execPath, VPO_MAIN, "stats", "import", file, "--db", db], { VPO_DATA_DIR: work, VPO_CONFIG: "" });
  if (!sample.stdout.includes(`Imported ${n.toLocaleString("en-US")} runs`)) throw new Error(`unexpected output: ${sample.stdout}`);
  return { rate: n / (sample.ms / 1000), rss: sample.rssMiB, seconds: sample.ms / 1000 };
}

const rows: string[] = [];
const small = await syntheticNdjson(join(work, `runs-${SMALL}.ndjson`), SMALL);
const vpoRates: number[] = [];
const plainRates: number[] = [];
const ratios: number[] = [];
const rssSmall: number[] = [];
for (let i = 0; i < REPEAT; i++) {
  const db = await emptyDatabase(join(work, "vpo.db"));
  const vpo = await vpoImport(small, db, SMALL);
  const plainDb = await emptyDatabase(join(work, "plain.db"));
  const plain = await timeProcess([process.execPath, import.meta.path, "--plain", small, "--db", plainDb]);
  const plainRate = SMALL / (plain.ms / 1000);
  vpoRates.push(vpo.rate);
  rssSmall.push(vpo.rss);
  plainRates.push(plainRate);
  ratios.push(vpo.rate / plainRate);
}
rows.push(`| SQLite, ${SMALL.toLocaleString("en-US")} runs, vpo | ${spread(vpoRates, 0)} | ${spread(rssSmall, 0)} |`);
rows.push(`| SQLite, ${SMALL.toLocaleString("en-US")} runs, plain loader | ${spread(plainRates, 0)} | — |`);
rows.push(`| vpo ÷ plain loader (same repeat) | ${spread(ratios, 2)} | |`);

if (!QUICK) {
  for (const n of values["no-million"] ? [200_000] : [200_000, 1_000_000]) {
    const file = await syntheticNdjson(join(work, `runs-${n}.ndjson`), n);
    const db = await emptyDatabase(join(work, "vpo.db"));
    const vpo = await vpoImport(file, db, n);
    rows.push(`| SQLite, ${n.toLocaleString("en-US")} runs, vpo (1 run, ${vpo.seconds.toFixed(1)} s) | ${vpo.rate.toFixed(0)} | ${vpo.rss.toFixed(0)} |`);
  }
}

if (values.pg) {
  const { pgCluster } = await import("../tests/pg_cluster.ts");
  const cluster = pgCluster();
  const pgRates: number[] = [];
  const pgRss: number[] = [];
  for (let i = 0; i < Math.min(REPEAT, 3); i++) {
    const url = await cluster.createDatabase();
    (await openDatabase(url)).close();
    const vpo = await vpoImport(small, url, SMALL);
    pgRates.push(vpo.rate);
    pgRss.push(vpo.rss);
  }
  rows.push(`| PostgreSQL, ${SMALL.toLocaleString("en-US")} runs, vpo | ${spread(pgRates, 0)} | ${spread(pgRss, 0)} |`);
}

console.log(`\nruns/s and peak RSS: median (min–max) of ${REPEAT} repeats unless stated\n`);
console.log("| import | runs/s | peak RSS MiB |\n|---|---|---|");
for (const row of rows) console.log(row);
console.log(`\ntarget ≥ 20,000 runs/s: median ${median(vpoRates).toFixed(0)} runs/s at ${SMALL.toLocaleString("en-US")}`);
bench.done();
process.exit(0);
