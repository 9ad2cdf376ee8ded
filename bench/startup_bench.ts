/**
 * CLI startup: `vpo --help` and `vpo stats summary` on an empty database, as whole processes,
 * next to `bun -e 0` (the runtime alone) in the same run, interleaved so that load on the machine
 * falls on all alike. Target: ≤ 100 ms each. bin/vpo as a user runs it (the bundled CLI, built
 * first if the sources changed), and the same commands from the sources (VPO_BUNDLE=0) beside it.
 *
 *   ./node_modules/.bin/bun bench/startup_bench.ts [--quick] [--repeat 15]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openDatabase } from "../core/mod.ts";
import { announce, freshBundle, median, spread, timeProcess, VPO_LAUNCHER } from "./_machine.ts";

const { values } = parseArgs({ options: { quick: { type: "boolean", default: false }, repeat: { type: "string" } } });
const REPEAT = Number(values.repeat ?? (values.quick ? 3 : 15));
const bench = announce("vpo CLI startup (wall time of the whole process)");

const home = mkdtempSync(join(tmpdir(), "vpo-bench-startup-"));
const db = join(home, "empty.db");
(await openDatabase(db)).close(); // created and migrated, no runs
console.log(await freshBundle());
const env = { VPO_DATA_DIR: home, VPO_CONFIG: "" };
const sources = ["env", "VPO_BUNDLE=0"];
const cases: [string, string[], number[]][] = [
  // `bun -e ''` prints Bun's usage (an empty script counts as none): `-e 0` runs nothing.
  ["bun -e 0 (baseline)", [process.execPath, "-e", "0"], [0]],
  ["vpo --help", [VPO_LAUNCHER, "--help"], [0]],
  // An empty database answers "no statistics" (exit 65): the whole read path runs.
  ["vpo stats summary (empty database)", [VPO_LAUNCHER, "stats", "summary", "--db", db], [0, 65]],
  ["vpo --help, from the sources", [...sources, VPO_LAUNCHER, "--help"], [0]],
  ["vpo stats summary, from the sources", [...sources, VPO_LAUNCHER, "stats", "summary", "--db", db], [0, 65]],
];
const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
const cpu = new Map<string, number[]>(cases.map(([name]) => [name, []]));
try {
  for (const [, cmd, ok] of cases) await timeProcess(cmd, env, ok); // warm the file cache
  for (let i = 0; i < REPEAT; i++) {
    for (const [name, cmd, ok] of cases) {
      const sample = await timeProcess(cmd, env, ok);
      times.get(name)!.push(sample.ms);
      cpu.get(name)!.push(sample.cpuMs);
    }
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
const base = median(times.get(cases[0]![0])!);
console.log(`\nms: median (min–max) of ${REPEAT} runs\n`);
// CPU time (user + system) moves less than wall time when other work shares the cores.
console.log("| command | wall ms | minus baseline | CPU ms | target |\n|---|---|---|---|---|");
for (const [name] of cases) {
  const ms = times.get(name)!;
  console.log(`| ${name} | ${spread(ms)} | ${name.includes("baseline") ? "—" : (median(ms) - base).toFixed(1)} | ${spread(cpu.get(name)!)} | ${name.includes("baseline") ? "" : name.includes("sources") ? "(for comparison)" : median(ms) <= 100 ? "≤ 100 ms: met" : "≤ 100 ms: NOT met"} |`);
}
bench.done();
