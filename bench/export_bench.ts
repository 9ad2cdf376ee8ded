/**
 * `vpo stats export` on a large synthetic database: wall time and peak RSS of the real CLI in a
 * subprocess, per format, median of several runs; plus the same export over a tenth of the runs
 * (memory must not grow with the number of runs) and a trivial command as the process floor.
 *
 *   npx bun bench/export_bench.ts [--quick] [--runs 200000] [--repeat 5]
 *
 * --quick: 20,000 runs, 3 repeats. The database is generated once per size and schema version
 * into the temp dir and reused (delete it to rebuild).
 */
import { Database } from "bun:sqlite";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { openDatabase } from "../core/mod.ts";
import { encodeMetrics } from "../core/repository/_metric_rows.ts";
import { rebuildRollups } from "../core/repository/_rollup.ts";
import { LATEST_SCHEMA_VERSION } from "../core/db/migrations/mod.ts";
import { announce } from "./_machine.ts";

const { values } = parseArgs({ options: { quick: { type: "boolean", default: false }, runs: { type: "string" }, repeat: { type: "string" } } });
const RUNS = Number(values.runs ?? (values.quick ? 20_000 : 200_000));
const REPEAT = Number(values.repeat ?? (values.quick ? 3 : 5));
const bench = announce("vpo stats export");
const MAIN = resolve(import.meta.dir, "../cli/main.ts");
const START = Date.UTC(2024, 0, 1);
const STEP_MS = 5 * 60_000; // one run every 5 minutes: 200k runs span ~1.9 years

/** Fills a migrated database with `n` realistic runs (2 actions, 2 phases, 4 plugin metrics each) and their rollup. */
async function buildDatabase(path: string, n: number): Promise<void> {
  const opened = await openDatabase(path); // creates and migrates
  await opened.close();
  const db = new Database(path);
  const run = db.prepare(`insert into processing_stats (id, file_id, file_path, job_id, processed_at, policy_name, status, success,
    error_message, size_before, size_after, size_change, audio_tracks_before, audio_tracks_after, audio_tracks_removed,
    subtitle_tracks_before, subtitle_tracks_after, subtitle_tracks_removed, attachments_before, attachments_after,
    attachments_removed, duration_seconds, phases_completed, phases_total, total_changes, video_source_codec,
    video_target_codec, video_transcode_skipped, video_skip_reason, audio_tracks_transcoded, audio_tracks_preserved,
    encoder_type, hash_before, hash_after) values (?, null, ?, null, ?, ?, ?, ?, ?, ?, ?, ?, 3, 1, 2, 4, 1, 3, 1, 0, 1, ?, 2, 2, 2,
    'h264', ?, ?, ?, ?, 1, ?, ?, ?)`);
  const action = db.prepare(`insert into action_results (stats_id, seq, action_type, track_type, track_index, before_state, after_state,
    success, duration_ms, rule_reference, message) values (?, ?, 'remove', ?, ?, ?, null, 1, ?, 'keep_audio.languages', null)`);
  const phase = db.prepare(`insert into performance_metrics (stats_id, seq, phase_name, wall_time_seconds, bytes_read, bytes_written,
    encoding_fps, encoding_bitrate) values (?, ?, ?, ?, ?, ?, ?, ?)`);
  const metric = db.prepare("insert into plugin_metrics (stats_id, metrics) values (?, ?)");
  const policies = ["strip", "transcode", "remux", "anime", "4k-hdr"];
  const hex = (i: number, c: string) => `sha256:${i.toString(16).padStart(8, "0")}${c.repeat(56)}`;
  const insert = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const id = `${(START / 1000 + i).toString(16).padStart(8, "0")}-0000-7000-8000-${i.toString(16).padStart(12, "0")}`;
      const ok = i % 17 !== 0;
      const before = 1_000_000_000 + (i % 1000) * 3_000_000;
      const after = ok ? Math.round(before * (0.4 + (i % 50) / 100)) : null;
      const transcoded = i % 3 === 0;
      const seconds = 30 + (i % 600) + 0.25;
      run.run(id, `/media/library/show-${i % 5000}/episode-${i}.mkv`, new Date(START + i * STEP_MS).toISOString(), policies[i % 5]!,
        ok ? "success" : "failed", ok ? 1 : 0, ok ? null : "ffmpeg exited with code 1", before, after, after === null ? null : before - after,
        seconds, transcoded ? "hevc" : "h264", transcoded ? 0 : 1, transcoded ? null : "codec already allowed", transcoded ? 2 : 0,
        transcoded ? (i % 2 ? "hardware" : "software") : null, hex(i, "a"), ok ? hex(i, "b") : null);
      action.run(id, 0, "audio", 2, JSON.stringify({ codec: "ac3", language: "fre", channels: 6 }), 3.5);
      action.run(id, 1, "subtitle", 5, JSON.stringify({ codec: "subrip", language: "ger" }), 0.8);
      phase.run(id, 0, "analyze", 1.25, before, 0, null, null);
      phase.run(id, 1, transcoded ? "transcode" : "remux", seconds - 1.25, before, after, transcoded ? 48.5 : null, transcoded ? 4_500_000 : null);
      metric.run(id, encodeMetrics({
        size: { bytes_saved: after === null ? null : before - after }, hash: { algorithm: "sha256" }, timing: { total_seconds: seconds }, tracks: { languages: "eng,jpn" },
      }));
    }
  });
  for (let i = 0; i < n; i += 10_000) insert(i, Math.min(n, i + 10_000));
  db.close();
  // The rollups, as recording those runs would have kept them.
  const handle = await openDatabase(path);
  await handle.db.transaction().execute((trx) => rebuildRollups(trx));
  await handle.close();
}

interface Sample {
  seconds: number;
  rssMiB: number;
}

async function timeCli(args: string[], dataDir: string): Promise<Sample> {
  const started = performance.now();
  const proc = Bun.spawn([process.execPath, MAIN, ...args], {
    env: { ...process.env, VPO_DATA_DIR: dataDir, NO_COLOR: "1", VPO_CONFIG: "" },
    stdout: "ignore",
    stderr: "pipe",
  });
  const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`vpo ${args.join(" ")} exited ${code}: ${stderr}`);
  return { seconds, rssMiB: proc.resourceUsage()!.maxRSS / 1024 / 1024 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(label: string, args: string[], dataDir: string, output?: string): Promise<string> {
  const samples: Sample[] = [];
  for (let i = 0; i < REPEAT; i++) samples.push(await timeCli(args, dataDir));
  const seconds = median(samples.map((s) => s.seconds));
  const size = output && existsSync(output) ? `${(statSync(output).size / 1024 / 1024).toFixed(0)} MiB` : "—";
  return `| ${label} | ${seconds.toFixed(2)} s | ${median(samples.map((s) => s.rssMiB)).toFixed(0)} MiB | ${size} |`;
}

const dbPath = join(tmpdir(), `vpo-bench-export-${RUNS}-v${LATEST_SCHEMA_VERSION}.db`);
if (!existsSync(dbPath)) {
  const t = performance.now();
  await buildDatabase(dbPath, RUNS);
  console.log(`built ${dbPath} (${RUNS.toLocaleString("en-US")} runs) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
const work = mkdtempSync(join(tmpdir(), "vpo-bench-out-"));
const tenthUntil = new Date(START + (RUNS / 10) * STEP_MS).toISOString();
const rows: string[] = [];
try {
  rows.push(await measure("`stats recent --limit 1` (process floor)", ["stats", "recent", "--limit", "1", "--db", dbPath], work));
  for (const format of ["ndjson", "csv", "json"]) {
    const out = join(work, `runs.${format}`);
    rows.push(await measure(`export --format ${format}, ${RUNS.toLocaleString("en-US")} runs`, ["stats", "export", "--db", dbPath, "--format", format, "--output", out], work, out));
  }
  const tenth = join(work, "tenth.ndjson");
  rows.push(await measure(`export --format ndjson, ${(RUNS / 10).toLocaleString("en-US")} runs (--until)`, ["stats", "export", "--db", dbPath, "--until", tenthUntil, "--output", tenth], work, tenth));
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`\nvpo stats export — median of ${REPEAT} runs, Bun ${Bun.version}, ${navigator.hardwareConcurrency} cores\n`);
console.log("| command | wall time | peak RSS | output |\n|---|---|---|---|");
for (const row of rows) console.log(row);
bench.done();
