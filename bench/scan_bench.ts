/**
 * Incremental scan benchmark: a library of N unchanged files, already scanned, rescanned.
 * Measures the whole `runScan` (walk, stat, load rows, compare, job row) — no ffprobe may run.
 *
 *   npx bun bench/scan_bench.ts [files=10000] [runs=7]
 *
 * The files are tiny non-media files with media extensions, spread over 100 folders; the
 * database is pre-seeded with rows that match their size and mtime, as a previous scan leaves.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, release, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { openDatabase, saveScannedFiles, type ScannedFile } from "../core/mod.ts";
import { DEFAULT_EXTENSIONS } from "../engine/discover.ts";
import { runScan } from "../engine/scan.ts";

const files = Number(process.argv[2] ?? 10_000);
const runs = Number(process.argv[3] ?? 7);
const root = mkdtempSync(join(tmpdir(), "vpo-scan-bench-"));

try {
  const seeded: ScannedFile[] = [];
  for (let i = 0; i < files; i++) {
    const dir = join(root, `show ${String(i % 100).padStart(3, "0")}`);
    if (i < 100) mkdirSync(dir);
    const path = join(dir, `episode ${i}.${DEFAULT_EXTENSIONS[i % DEFAULT_EXTENSIONS.length]}`);
    writeFileSync(path, `not really media ${i}`);
    const s = statSync(path);
    seeded.push({
      path, sizeBytes: s.size, modifiedAt: new Date(s.mtimeMs).toISOString(), contentHash: null,
      info: { path, container: "matroska", durationSeconds: 1, bitRate: null, sizeBytes: s.size, streams: [] },
    });
  }
  const { db, close } = await openDatabase(join(root, "bench.db"));
  for (let i = 0; i < seeded.length; i += 1000) await saveScannedFiles(db, seeded.slice(i, i + 1000));

  const probe = async (path: string): Promise<never> => {
    throw new Error(`ffprobe must not run for an unchanged file (${path})`);
  };
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const started = performance.now();
    const summary = await runScan(db, probe, { paths: [root] });
    const ms = performance.now() - started;
    if (summary.skipped !== files || summary.scanned !== 0) throw new Error(`expected ${files} skipped, got ${JSON.stringify(summary)}`);
    if (i > 0) times.push(ms); // the first run warms the page cache and the JIT
  }
  await close();

  times.sort((a, b) => a - b);
  const median = times.length % 2 ? times[(times.length - 1) / 2]! : (times[times.length / 2 - 1]! + times[times.length / 2]!) / 2;
  const cpu = cpus();
  const machine = `${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Linux ${release()}, Bun ${Bun.version}`;
  console.log(`incremental scan of ${files.toLocaleString("en-US")} unchanged files (no ffprobe), ${runs} runs after a warm-up`);
  console.log(`median ${median.toFixed(0)} ms · min ${times[0]!.toFixed(0)} ms · max ${times.at(-1)!.toFixed(0)} ms · ${((files / median) * 1000).toFixed(0)} files/s`);
  console.log(`machine: ${machine}`);
  console.log(JSON.stringify({ bench: "scan_incremental", files, runs, median_ms: +median.toFixed(1), min_ms: +times[0]!.toFixed(1), max_ms: +times.at(-1)!.toFixed(1), machine }));
} finally {
  rmSync(root, { recursive: true, force: true });
}
