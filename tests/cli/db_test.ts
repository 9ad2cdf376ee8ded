import { expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { forEachDialect } from "../dialects.ts";
import { findPgBin } from "../pg_cluster.ts";
import { asNdjson, perfHistory } from "../fixtures/perf_history.ts";
import { tempDir, vpo } from "./_cli.ts";
import { LATEST_SCHEMA_VERSION } from "../../core/mod.ts";

const DAY = 86_400_000;

forEachDialect("vpo db", (dialect) => {
  /** 60 days of runs up to now, imported into a new database; returns the CLI's --db and data dir. */
  async function seeded() {
    const dataDir = tempDir("vpo-db-");
    const db = dialect.name === "sqlite" ? join(dataDir, "library.db") : await dialect.newLocation();
    const runs = perfHistory({ runs: 720, seed: 31, start: new Date(Date.now() - 60 * DAY).toISOString() });
    runs.forEach((r, i) => i % 11 === 0 && Object.assign(r, { success: false, error_message: "ffmpeg exited with code 1" }));
    writeFileSync(join(dataDir, "h.ndjson"), asNdjson(runs));
    const cli = (args: string[]) => vpo(["--db", db, ...args], { dataDir });
    expect((await cli(["stats", "import", "h.ndjson"])).code).toBe(0);
    return { dataDir, db, cli };
  }

  test("with runs_days = 30, runs older than 30 days are gone and the summary over all time and over the expired month is unchanged", async () => {
    const { dataDir, cli } = await seeded();
    const month = ["--since", new Date(Date.now() - 59 * DAY).toISOString().slice(0, 10), "--until", new Date(Date.now() - 32 * DAY).toISOString().slice(0, 10)];
    const views = async () => [
      (await cli(["stats", "summary", "--format", "json"])).stdout,
      (await cli(["stats", "summary", ...month, "--format", "json"])).stdout,
      (await cli(["stats", "policies", "--format", "json"])).stdout,
      (await cli(["stats", "trends", "--group-by", "week", "--format", "json"])).stdout,
    ];
    const before = await views();
    writeFileSync(join(dataDir, "config.toml"), "[retention]\nruns_days = 30\n");
    const r = await cli(["db", "retention", "--format", "json"]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.runs).toBeGreaterThan(300);
    const horizon = new Date(Math.floor((Date.now() - 30 * DAY) / DAY) * DAY).toISOString();
    expect(result.cutoffs.runsBefore).toBe(horizon);
    const info = JSON.parse((await cli(["db", "info", "--format", "json"])).stdout);
    expect(info.earliest_run >= horizon).toBe(true);
    expect(info.runs_horizon).toBe(horizon);
    expect(info.tables.find((t: { name: string }) => t.name === "processing_stats").rows).toBe(720 - result.runs);
    expect(await views()).toEqual(before);
    // A window starting inside an expired day is answered from whole days, and the summary says so.
    const edge = await cli(["stats", "summary", "--since", new Date(Date.now() - 40 * DAY).toISOString(), "--format", "json"]);
    expect(edge.stderr).toContain("were removed by retention; this window's totals count whole days there");
    // vpo's own check still finds the totals consistent with the runs that are left.
    const verify = await cli(["db", "verify"]);
    expect([verify.code, verify.stdout]).toEqual([0, expect.stringContaining("ok    daily totals agree with the runs")]);
  }, 300_000);

  test("a backup restores to an identical summary", async () => {
    const { dataDir, db, cli } = await seeded();
    const summary = (await cli(["stats", "summary", "--format", "json"])).stdout;
    expect(JSON.parse(summary).total_files_processed).toBe(720);
    const copy = join(dataDir, "backup.db");
    const made = await cli(["db", "backup", "--to", copy]);
    expect(made.code).toBe(0);
    expect(made.stdout).toContain(dialect.name === "sqlite" ? "(SQLite VACUUM INTO)" : "(logical copy into a SQLite database)");
    expect((await vpo(["--db", copy, "stats", "summary", "--format", "json"], { dataDir })).stdout).toBe(summary);
    expect((await vpo(["--db", copy, "db", "verify"], { dataDir })).code).toBe(0);
    const again = await cli(["db", "backup", "--to", copy]);
    expect([again.code, again.stderr]).toEqual([2, expect.stringContaining("already exists")]);
    // Into a folder not made yet, as db copy does (was "unexpected error: unable to open database").
    const nested = join(dataDir, "backups", "2026", "backup.db");
    expect((await cli(["db", "backup", "--to", nested])).code).toBe(0);
    expect((await vpo(["--db", nested, "stats", "summary", "--format", "json"], { dataDir })).stdout).toBe(summary);
    if (dialect.name === "postgres" && Bun.which("pg_dump")) {
      const dump = join(dataDir, "backup.dump");
      expect((await cli(["db", "backup", "--to", dump])).stdout).toContain("pg_dump");
      const restored = await dialect.newLocation();
      const restore = Bun.spawnSync([join(findPgBin()!, "pg_restore"), "--no-owner", "-d", restored, dump]);
      expect(restore.exitCode).toBe(0);
      expect((await vpo(["--db", restored, "stats", "summary", "--format", "json"], { dataDir })).stdout).toBe(summary);
    }
    expect(existsSync(db) || dialect.name === "postgres").toBe(true);
  }, 300_000);

  test("info, optimize and migrate answer on the database", async () => {
    const { cli } = await seeded();
    const info = JSON.parse((await cli(["db", "info", "--format", "json"])).stdout);
    expect(info.schema_version).toBe(LATEST_SCHEMA_VERSION);
    expect(info.size_bytes).toBeGreaterThan(0);
    expect(info.tables.find((t: { name: string }) => t.name === "performance_metrics").rows).toBe(1440);
    const optimize = await cli(["db", "optimize"]);
    expect([optimize.code, optimize.stdout]).toEqual([0, expect.stringContaining(dialect.name === "sqlite" ? "VACUUM" : "VACUUM (ANALYZE)")]);
    expect((await cli(["db", "migrate"])).stdout).toContain(`schema version ${LATEST_SCHEMA_VERSION}`);
  }, 300_000);
});

test("vpo db migrate upgrades a database that read commands refused for its older schema", async () => {
  const { Database } = await import("bun:sqlite");
  const dataDir = tempDir("vpo-db-migrate-");
  const db = join(dataDir, "library.db");
  writeFileSync(join(dataDir, "h.ndjson"), asNdjson(perfHistory({ runs: 20, seed: 71 })));
  expect((await vpo(["--db", db, "stats", "import", "h.ndjson"], { dataDir })).code).toBe(0);
  const summary = (await vpo(["--db", db, "stats", "summary", "--format", "json"], { dataDir })).stdout;
  // Take the database back to schema version 4, as an older vpo left it: undo migrations 13, 12, 11, 10, 9, 8, 7, 6 and 5.
  const raw = new Database(db);
  raw.exec("drop table failure_rollup_unscoped; drop table failure_rollup_unscoped_month; drop table failure_rollup; drop table failure_rollup_hour; drop table failure_rollup_month; drop table failure_repeats");
  raw.exec("drop index stats_failure_time; drop index stats_failure_file; alter table processing_stats drop column failure_reason");
  for (const base of ["stats_rollup", "codec_rollup", "metric_rollup", "phase_rollup"]) raw.exec(`drop table ${base}_unscoped; drop table ${base}_unscoped_month`);
  raw.exec("drop table phase_rollup; drop table phase_rollup_hour; drop table phase_rollup_month; drop index stats_failed_at; drop index perf_wall_time");
  raw.exec("drop table stats_rollup_hour; drop table codec_rollup_hour; drop table metric_rollup_hour");
  raw.exec("drop table stats_rollup_month; drop table codec_rollup_month; drop table metric_rollup_month");
  raw.exec("drop table alert_deliveries; drop table alert_events; drop table alert_silences; drop table alert_state; drop table log_records");
  raw.exec("alter table processing_stats drop column failure_command; alter table processing_stats drop column failure_output");
  raw.exec("drop table library_snapshots; drop table reports; drop table retention_state; alter table processing_stats drop column video_height");
  raw.exec("drop index runs_in_flight_file_key");
  for (const col of ["file_key", "library", "library_path", "queue_job_id", "heartbeat_at", "policy_digest", "queue_attempt", "progress_percent", "progress_speed", "progress_fps", "progress_eta_seconds"]) {
    raw.exec(`alter table runs_in_flight drop column ${col}`);
  }
  // Migration 10: plugin_metrics back to a row per metric.
  raw.exec(`create table plugin_metrics_v4 (id integer primary key autoincrement, stats_id text not null references processing_stats(id) on delete cascade,
    plugin text not null, key text not null, num real, text text)`);
  raw.exec(`insert into plugin_metrics_v4 (stats_id, plugin, key, num, text) select pm.stats_id, p.key, m.key,
    case when m.type in ('integer', 'real') then m.value end, case when m.type = 'text' then m.value end from plugin_metrics pm, json_each(pm.metrics) p, json_each(p.value) m`);
  raw.exec("drop table plugin_metrics; alter table plugin_metrics_v4 rename to plugin_metrics; create index plugin_metrics_stats on plugin_metrics (stats_id)");
  raw.exec("delete from schema_migrations where version >= 5");
  raw.close();
  const refused = await vpo(["--db", db, "stats", "summary"], { dataDir });
  expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining(`has schema version 4; this vpo reads version ${LATEST_SCHEMA_VERSION}. Upgrade it with: vpo db migrate --db ${db}`)]);
  const migrated = await vpo(["--db", db, "db", "migrate"], { dataDir });
  expect([migrated.code, migrated.stdout]).toEqual([0, `${db} is at schema version ${LATEST_SCHEMA_VERSION}\n`]);
  expect((await vpo(["--db", db, "stats", "summary", "--format", "json"], { dataDir })).stdout).toBe(summary);
}, 120_000);
