/**
 * Many writers at once into one database: concurrent `vpo stats import` processes, concurrent
 * `vpo run` loops on different files, and POSTs to a running `vpo serve` beside them. Every run
 * must be stored exactly once, sums exact, and no writer may fail.
 *
 * Small by default so CI stays quick; run it bigger with
 *   VPO_FAULT_WRITERS=8 VPO_FAULT_RUNS_PER_WRITER=5000 bun test tests/faults/concurrent_writers_test.ts
 */
import { expect, test } from "bun:test";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getSummary, MAX_BYTES, openDatabase } from "../../core/mod.ts";
import { ROOT, tempDir, vpo } from "../cli/_cli.ts";
import { forEachDialect } from "../dialects.ts";
import { makeFixtures } from "../fixtures/media.ts";

const WRITERS = Number(process.env.VPO_FAULT_WRITERS ?? 4);
const RUNS_PER_WRITER = Number(process.env.VPO_FAULT_RUNS_PER_WRITER ?? 1000);
const RUN_LOOPS = Number(process.env.VPO_FAULT_RUN_LOOPS ?? 3);

/** Sizes near the 1 PiB maximum, so the totals pass 2^53 (and a 64-bit sum would overflow). */
function importFile(dir: string, writer: number): { path: string; before: bigint; after: bigint } {
  let before = 0n;
  let after = 0n;
  const lines: string[] = [];
  for (let i = 0; i < RUNS_PER_WRITER; i++) {
    const sizeBefore = MAX_BYTES - i;
    const sizeAfter = MAX_BYTES - 1000 - i * 3;
    before += BigInt(sizeBefore);
    after += BigInt(sizeAfter);
    lines.push(JSON.stringify({
      id: Bun.randomUUIDv7(), file_path: `/lib/w${writer}/f${i}.mkv`, policy_name: `writer-${writer % 2}`, success: true,
      processed_at: new Date(Date.UTC(2026, 0, 1) + ((writer * RUNS_PER_WRITER + i) % (20 * 86_400)) * 1000).toISOString(),
      size_before: sizeBefore, size_after: sizeAfter, duration_seconds: 1.5, node: `n${writer % 3}`,
      actions: [{ action_type: "remove", track_type: "audio", track_index: 1 }],
      phases: [{ phase_name: "remux", wall_time_seconds: 1.5 }],
      plugin_metrics: { size: { bytes_saved: sizeBefore - sizeAfter } },
    }));
  }
  const path = join(dir, `w${writer}.ndjson`);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return { path, before, after };
}

const exact = (v: number | bigint) => BigInt(v);

forEachDialect("concurrent writers", (dialect) => {
  test(`${WRITERS} vpo stats import processes of ${RUNS_PER_WRITER} distinct runs each store every run once, with exact sums`, async () => {
    const dir = tempDir();
    const db = await dialect.newLocation();
    const files = Array.from({ length: WRITERS }, (_, w) => importFile(dir, w));
    const results = await Promise.all(files.map((f) => vpo(["--db", db, "stats", "import", f.path, "--format", "json"], { dataDir: dir })));
    for (const r of results) {
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ imported: RUNS_PER_WRITER, duplicates: 0, invalid: 0 });
    }
    const opened = await openDatabase(db, { access: "read" });
    try {
      const summary = await getSummary(opened.db);
      expect(summary.total_files_processed).toBe(WRITERS * RUNS_PER_WRITER);
      const before = files.reduce((n, f) => n + f.before, 0n);
      const after = files.reduce((n, f) => n + f.after, 0n);
      expect([exact(summary.total_size_before), exact(summary.total_size_after), exact(summary.total_size_saved)]).toEqual([before, after, before - after]);
      expect(before > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    } finally {
      await opened.close();
    }
    // The same files imported again, all at once: every run is a duplicate, none stored twice.
    const again = await Promise.all(files.map((f) => vpo(["--db", db, "stats", "import", f.path, "--format", "json"], { dataDir: dir })));
    for (const r of again) expect(JSON.parse(r.stdout)).toMatchObject({ imported: 0, duplicates: RUNS_PER_WRITER });
  }, 600_000);

  test(`${WRITERS} first imports of the same file at once: every run stored once, every import completes`, async () => {
    const dir = tempDir();
    const db = await dialect.newLocation();
    const file = importFile(dir, 0);
    const results = await Promise.all(Array.from({ length: WRITERS }, () => vpo(["--db", db, "stats", "import", file.path, "--format", "json"], { dataDir: dir })));
    for (const r of results) {
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    }
    const reports = results.map((r) => JSON.parse(r.stdout) as { imported: number; duplicates: number });
    expect(reports.reduce((n, r) => n + r.imported, 0)).toBe(RUNS_PER_WRITER);
    for (const r of reports) expect(r.imported + r.duplicates).toBe(RUNS_PER_WRITER);
    const opened = await openDatabase(db, { access: "read" });
    try {
      const summary = await getSummary(opened.db);
      expect(summary.total_files_processed).toBe(RUNS_PER_WRITER);
      expect(exact(summary.total_size_before)).toBe(file.before);
    } finally {
      await opened.close();
    }
  }, 600_000);

  test(`${WRITERS} shell loops of vpo run on different files, beside POSTs to vpo serve, lose no run`, async () => {
    const dir = tempDir();
    const db = await dialect.newLocation();
    const fixtures = await makeFixtures();
    const media = Array.from({ length: WRITERS }, (_, w) => {
      const path = join(dir, `clip${w}.mp4`);
      copyFileSync(fixtures.clip, path);
      return path;
    });
    const server = Bun.spawn([process.execPath, join(ROOT, "cli/main.ts"), "--db", db, "serve", "--port", "0", "--token", "t0k"], {
      cwd: dir, env: { ...process.env, VPO_DATA_DIR: dir, NO_COLOR: "1", VPO_CONFIG: "" }, stdout: "pipe", stderr: "pipe",
    });
    try {
      const url = await serverUrl(server.stdout);
      const loop = async (file: string) => {
        const codes: number[] = [];
        for (let i = 0; i < RUN_LOOPS; i++) {
          const r = await vpo(["--db", db, "run", file, "--policy-name", "copy", "--", "cp", "{input}", "{output}"], { dataDir: dir });
          if (r.code !== 0) throw new Error(`vpo run failed (${r.code}): ${r.stderr}`);
          codes.push(r.code);
        }
        return codes;
      };
      const post = async (n: number) => {
        for (let i = 0; i < RUN_LOOPS * 4; i++) {
          const res = await fetch(`${url}/api/stats/runs`, {
            method: "POST", headers: { authorization: "Bearer t0k" },
            body: JSON.stringify({ file_path: `/posted/${n}/${i}.mkv`, processed_at: new Date().toISOString(), policy_name: "posted", success: true, size_before: 10, size_after: 4 }),
          });
          expect(res.status).toBe(201);
        }
      };
      await Promise.all([...media.map(loop), post(0), post(1)]);
      const opened = await openDatabase(db, { access: "read" });
      try {
        const counts = Object.fromEntries((await opened.db.selectFrom("processing_stats").select(["policy_name", (eb) => eb.fn.countAll<number>().as("n")]).groupBy("policy_name").execute()).map((r) => [r.policy_name, Number(r.n)]));
        expect(counts).toEqual({ copy: WRITERS * RUN_LOOPS, posted: 2 * RUN_LOOPS * 4 });
        expect((await getSummary(opened.db, { policy: "copy" })).total_successful).toBe(WRITERS * RUN_LOOPS);
      } finally {
        await opened.close();
      }
    } finally {
      server.kill("SIGTERM");
      await server.exited;
    }
  }, 600_000);
});

/** Reads `vpo serve`'s first line for its URL. */
async function serverUrl(stdout: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stdout.getReader();
  let text = "";
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
    const match = /serving (http:\/\/\S+)/.exec(text);
    if (match) {
      reader.releaseLock();
      return match[1]!;
    }
  }
  throw new Error(`vpo serve did not start: ${text}`);
}


