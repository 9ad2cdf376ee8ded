/**
 * What vpo adds to each file:
 *  1. `vpo run FILE --policy-name bench -- cp {input} {output}` on a 50 MB media file against
 *     plain `cp` of the same file, interleaved, in the same run (target: ≤ 40 ms more), through
 *     bin/vpo as a user runs it (the bundled CLI). Beside it, to see where the difference goes:
 *     `cp` followed by `sync FILE` (a copy made durable, as vpo makes its output before the
 *     rename), `vpo run -- true` (the whole run with no output: process, probe, hash, plugins,
 *     record, no copy), and `vpo stats recent --limit 1` (the process floor: start, open, read);
 *  2. ffprobe calls made by `vpo process` of 6 small files with a remux policy
 *     (strip-to-english), counted through a wrapper named as [tools] ffprobe (target: ≤ 2 a file).
 *
 *   ./node_modules/.bin/bun bench/run_overhead_bench.ts [--quick] [--repeat 9]
 */
import { appendFileSync, chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { resolveTools } from "../engine/tools.ts";
import { makeFixtures } from "../tests/fixtures/media.ts";
import { announce, freshBundle, median, spread, timeProcess, VPO_LAUNCHER } from "./_machine.ts";

const { values } = parseArgs({ options: { quick: { type: "boolean", default: false }, repeat: { type: "string" } } });
const REPEAT = Number(values.repeat ?? (values.quick ? 3 : 9));
const bench = announce("vpo per-file overhead");
console.log(await freshBundle());
const work = mkdtempSync(join(tmpdir(), "vpo-bench-run-"));
const tools = resolveTools({});

// A counting ffprobe: logs its arguments, then runs the real one.
const calls = join(work, "ffprobe-calls.log");
const counting = join(work, "ffprobe");
writeFileSync(counting, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${calls}'\nexec '${tools.ffprobe}' "$@"\n`);
chmodSync(counting, 0o755);
const home = join(work, "home");
mkdirSync(home);
const env = { VPO_DATA_DIR: home, VPO_CONFIG: "", VPO_TOOLS_FFPROBE: counting };
const probes = () => {
  try {
    return readFileSync(calls, "utf8").split("\n").filter((l) => l !== "" && !l.includes("-version")).length;
  } catch {
    return 0;
  }
};

try {
  // 1. 50 MB of real video (MPEG-2 at a high bitrate: quick to encode).
  const media = join(work, "big.mkv");
  const encode = Bun.spawnSync([tools.ffmpeg, "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-t", "10", "-c:v", "mpeg2video", "-b:v", "40M", "-maxrate", "40M", "-minrate", "40M", "-bufsize", "8M", "-y", media]);
  if (encode.exitCode !== 0) throw new Error(`ffmpeg: ${encode.stderr}`);
  const mb = statSync(media).size / 2 ** 20;
  const db = join(work, "runs.db");
  const vpoRun = (command: string[]) => [VPO_LAUNCHER, "run", media, "--policy-name", "bench", "--db", db, "--", ...command];
  const rows = {
    cp: [] as number[],
    durableCp: [] as number[],
    vpo: [] as number[],
    noOutput: [] as number[],
    floor: [] as number[],
  };
  const runProbes: number[] = [];
  const copy = join(work, "copy.mkv");
  await timeProcess(vpoRun(["cp", "{input}", "{output}"]), env); // warm
  for (let i = 0; i < REPEAT; i++) {
    rows.cp.push((await timeProcess(["cp", media, copy])).ms);
    rmSync(copy);
    rows.durableCp.push((await timeProcess(["sh", "-c", `cp '${media}' '${copy}' && sync '${copy}'`])).ms);
    rmSync(copy);
    rmSync(calls, { force: true });
    rows.vpo.push((await timeProcess(vpoRun(["cp", "{input}", "{output}"]), env)).ms);
    runProbes.push(probes());
    rows.noOutput.push((await timeProcess(vpoRun(["true"]), env)).ms);
    // The process floor: a command that opens the same database and prints one run.
    rows.floor.push((await timeProcess([VPO_LAUNCHER, "stats", "recent", "--limit", "1", "--db", db], env)).ms);
  }

  // 2. vpo process of 6 small files.
  const fixtures = await makeFixtures();
  const lib = join(work, "lib");
  mkdirSync(lib);
  const names = ["multi", "clip", "silent", "hevc", "multi", "clip"] as const;
  names.forEach((name, i) => copyFileSync(fixtures[name], join(lib, `${i}-${fixtures[name].split("/").at(-1)}`)));
  rmSync(calls, { force: true });
  const policy = resolve(import.meta.dir, "../cli/templates/policies/strip-to-english.yaml");
  const processed = await timeProcess([VPO_LAUNCHER, "process", lib, "--policy", policy, "--db", join(work, "process.db")], env, [0, 1]);
  const processProbes = probes();
  const probeLines = readFileSync(calls, "utf8");
  appendFileSync(join(work, "keep"), probeLines);

  console.log(`\nms: median (min–max) of ${REPEAT} runs, interleaved\n`);
  console.log("| what | ms | ffprobe calls |\n|---|---|---|");
  console.log(`| cp of ${mb.toFixed(0)} MB (baseline) | ${spread(rows.cp)} | — |`);
  console.log(`| cp, then sync of the copy (a durable copy) | ${spread(rows.durableCp)} | — |`);
  console.log(`| vpo run -- cp {input} {output} | ${spread(rows.vpo)} | ${spread(runProbes, 0)} |`);
  console.log(`| vpo run -- true (the run without output) | ${spread(rows.noOutput)} | — |`);
  console.log(`| vpo stats recent --limit 1 (process floor) | ${spread(rows.floor)} | — |`);
  console.log(`| vpo process, 6 small files (remux policy) | ${processed.ms.toFixed(0)} (1 run) | ${processProbes} (${(processProbes / names.length).toFixed(1)} a file) |`);
  const extra = median(rows.vpo) - median(rows.cp);
  console.log(`\nvpo run adds ${extra.toFixed(1)} ms to cp (target ≤ 40 ms: ${extra <= 40 ? "met" : "NOT met"}); ${(median(rows.vpo) - median(rows.durableCp)).toFixed(1)} ms to a durable cp.`);
  console.log(`Of that: the process floor ${median(rows.floor).toFixed(1)} ms; the run itself without output ${(median(rows.noOutput) - median(rows.floor)).toFixed(1)} ms over the floor; the copy made durable ${(median(rows.durableCp) - median(rows.cp)).toFixed(1)} ms over cp.`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
bench.done();
