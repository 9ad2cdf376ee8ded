/**
 * SIGKILL during `vpo stats import` and `vpo stats purge`, at seeded random moments: the database
 * stays consistent (integrity check, the rollup equals one rebuilt from the runs), a batch is
 * stored whole or not at all, a purge happens whole or not at all, the killed import's job is
 * closed as interrupted at the next start, and importing again completes the import exactly.
 *
 * VPO_FAULT_RUNS sets how many kills per command (default 3); VPO_FAULT_SEED picks the seed.
 */
import { expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "kysely";
import { getSummary, IMPORT_BATCH_SIZE, openDatabase } from "../../core/mod.ts";
import { rebuiltRollupRows, rollupRows } from "../../core/repository/_rollup_rows.ts";
import { ROOT, tempDir, vpo } from "../cli/_cli.ts";
import { forEachDialect } from "../dialects.ts";

const KILLS = Number(process.env.VPO_FAULT_RUNS ?? 3);
const SEED = Number(process.env.VPO_FAULT_SEED ?? Date.now() % 100_000);
const RUNS = 12_000;

/** A small seeded generator (mulberry32), so a failing schedule can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function ndjson(dir: string): string {
  const path = join(dir, "runs.ndjson");
  const lines: string[] = [];
  for (let i = 0; i < RUNS; i++) {
    lines.push(JSON.stringify({
      id: Bun.randomUUIDv7(), file_path: `/lib/${i % 500}.mkv`, policy_name: ["strip", "transcode"][i % 2], success: i % 7 !== 0,
      processed_at: new Date(Date.UTC(2026, 0, 1) + i * 600_000).toISOString(), size_before: 1_000_000 + i, size_after: 600_000 + i,
      duration_seconds: 3, actions: [{ action_type: "remove", track_type: "audio", track_index: 1 }], phases: [{ phase_name: "remux", wall_time_seconds: 3 }],
      plugin_metrics: { size: { bytes_saved: 400_000 } },
    }));
  }
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

/** Starts `vpo args…` and SIGKILLs it after `ms` (unless it ended first). */
async function killAfter(args: string[], dataDir: string, ms: number): Promise<number> {
  const proc = Bun.spawn([process.execPath, join(ROOT, "cli/main.ts"), ...args], {
    cwd: dataDir, env: { ...process.env, VPO_DATA_DIR: dataDir, NO_COLOR: "1", VPO_CONFIG: "" }, stdout: "ignore", stderr: "ignore",
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), ms);
  const code = await proc.exited;
  clearTimeout(timer);
  return code;
}

/** The rollup equals a rebuild from the runs, and (SQLite) the file passes integrity_check. */
async function expectConsistent(location: string, dialect: string) {
  const { db, close } = await openDatabase(location);
  try {
    if (dialect === "sqlite") {
      const { rows } = await sql<{ integrity_check: string }>`PRAGMA integrity_check`.execute(db);
      expect(rows.map((r) => r.integrity_check)).toEqual(["ok"]);
    }
    expect(await rollupRows(db)).toEqual(await rebuiltRollupRows(db));
    const orphans = await db.selectFrom("action_results").select((eb) => eb.fn.countAll<number>().as("n"))
      .where("stats_id", "not in", db.selectFrom("processing_stats").select("id")).executeTakeFirstOrThrow();
    expect(Number(orphans.n)).toBe(0);
    return Number((await getSummary(db)).total_files_processed);
  } finally {
    await close();
  }
}


forEachDialect("SIGKILL during import and purge", (dialect) => {
  test(`${KILLS} killed imports (seed ${SEED}): whole batches only, the job closed as interrupted, and importing again completes it exactly`, async () => {
    const next = random(SEED);
    const dir = tempDir();
    const location = await dialect.newLocation();
    const file = ndjson(dir);
    const db = ["--db", location];
    let stored = 0;
    let cutMidway = 0;
    for (let k = 0; k < KILLS; k++) {
      const ms = 300 + Math.floor(next() * 2500);
      const code = await killAfter([...db, "stats", "import", file], dir, ms);
      const count = await expectConsistent(location, dialect.name);
      // Only a kill between two stored batches surely finds its job open: one before the job is
      // made, or once every run is stored (the job closed as completed), leaves none interrupted.
      if (code === 137 && count > stored && count < RUNS) cutMidway++;
      expect(count >= stored).toBe(true);
      if (code === 137) expect(count % IMPORT_BATCH_SIZE === 0 || count === RUNS).toBe(true); // whole batches only
      stored = count;
    }
    const finish = await vpo([...db, "stats", "import", file, "--format", "json"], { dataDir: dir });
    expect(finish.code).toBe(0);
    expect(JSON.parse(finish.stdout)).toMatchObject({ imported: RUNS - stored, duplicates: stored });
    expect(await expectConsistent(location, dialect.name)).toBe(RUNS);
    const jobs = JSON.parse((await vpo([...db, "jobs", "list", "--type", "import", "--json"], { dataDir: dir })).stdout) as { status: string }[];
    expect(jobs.filter((j) => j.status === "running")).toEqual([]);
    expect(jobs.filter((j) => j.status === "interrupted").length).toBeGreaterThanOrEqual(cutMidway > 0 ? 1 : 0);
    expect(jobs.some((j) => j.status === "completed")).toBe(true);
  }, 600_000);

  test(`${KILLS} killed purges (seed ${SEED}): each purge happens whole or not at all`, async () => {
    const next = random(SEED + 1);
    const dir = tempDir();
    const location = await dialect.newLocation();
    expect((await vpo(["--db", location, "stats", "import", ndjson(dir)], { dataDir: dir })).code).toBe(0);
    const cutoffs = ["2026-01-20", "2026-02-05", "2026-02-20"];
    let count = RUNS;
    for (let k = 0; k < KILLS; k++) {
      const before = cutoffs[k % cutoffs.length]!;
      const expectedAfter = RUNS - Math.min(RUNS, Math.ceil((Date.parse(`${before}T00:00:00Z`) - Date.UTC(2026, 0, 1)) / 600_000));
      await killAfter(["--db", location, "stats", "purge", "--before", before, "--yes"], dir, 100 + Math.floor(next() * 1500));
      const now = await expectConsistent(location, dialect.name);
      expect([count, Math.min(count, expectedAfter)]).toContain(now); // untouched, or purged whole
      count = now;
    }
  }, 600_000);
});
