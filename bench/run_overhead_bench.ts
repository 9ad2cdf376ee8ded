/**
 * What vpo adds to each file:
 *  1. `vpo run FILE --policy-name bench -- cp {input} {output}` on a 50 MB media file against
 *     plain `cp` of the same file, interleaved, in the same run (target: ≤ 40 ms more), through
 *     bin/vpo as a user runs it (the bundled CLI). Beside it, to see where the difference goes:
 *     `cp` followed by `sync FILE` (a copy made durable, as vpo makes its output before the
 *     rename), `vpo run -- true` (the whole run with no output: process, probe, hash, plugins,
 *     record, no copy), and `vpo stats recent --limit 1` (the process floor: start, open, read);
 *  2. `vpo process` of 12 small files with a remux policy (strip-to-english) against the same
 *     ffmpeg commands run bare, one after another on a fresh copy of the library: what vpo adds a
 *     file (target: ≤ 40 ms, excluding ffmpeg); the commands are taken from a logging wrapper
 *     named as [tools] ffmpeg, and ffprobe calls counted through another (target: ≤ 2 a file).
 *
 *   ./node_modules/.bin/bun bench/run_overhead_bench.ts [--quick] [--repeat 9]
 */
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
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

  // 2. vpo process of a batch against the same ffmpeg commands run bare: a logging ffmpeg wrapper
  // records every command vpo ran; the library is then restored and each command replayed as it was.
  const fixtures = await makeFixtures();
  const lib = join(work, "lib");
  const names = ["multi", "clip", "silent", "hevc", "multi", "clip", "silent", "hevc", "multi", "clip", "silent", "hevc"] as const;
  // Twelve files of distinct content (a title of their own), so none is skipped as already processed.
  const originals = join(work, "originals");
  mkdirSync(originals);
  const originalNames = names.map((name, i) => `${i}-${fixtures[name].split("/").at(-1)}`);
  names.forEach((name, i) => {
    const made = Bun.spawnSync([tools.ffmpeg, "-v", "error", "-i", fixtures[name], "-map", "0", "-c", "copy", "-metadata", `title=bench ${i}`, "-y", join(originals, originalNames[i]!)]);
    if (made.exitCode !== 0) throw new Error(`ffmpeg: ${made.stderr}`);
  });
  const restoreLibrary = () => {
    rmSync(lib, { recursive: true, force: true });
    mkdirSync(lib);
    for (const name of originalNames) copyFileSync(join(originals, name), join(lib, name));
  };
  const ffmpegLog = join(work, "ffmpeg-calls.log");
  const loggingFfmpeg = join(work, "ffmpeg");
  // One argument a line, each command ended by a line holding only the record separator.
  writeFileSync(loggingFfmpeg, `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done >> '${ffmpegLog}'\nprintf '\\036\\n' >> '${ffmpegLog}'\nexec '${tools.ffmpeg}' "$@"\n`);
  chmodSync(loggingFfmpeg, 0o755);
  const loggedCommands = (): string[][] =>
    readFileSync(ffmpegLog, "utf8").split("\x1e\n").filter((c) => c !== "").map((c) => c.replace(/\n$/, "").split("\n")).filter((args) => !args.includes("-version"));
  const policy = resolve(import.meta.dir, "../cli/templates/policies/strip-to-english.yaml");
  const batch = { vpo: [] as number[], bare: [] as number[], perFile: [] as number[], commands: 0, probes: 0 };
  const PROCESS_REPEAT = values.quick ? 2 : 5;
  for (let i = 0; i < PROCESS_REPEAT; i++) {
    restoreLibrary();
    rmSync(calls, { force: true });
    rmSync(ffmpegLog, { force: true });
    // A new database each time (the files are then new to it), made before the clock starts.
    const processDb = join(work, `process-${i}.db`);
    await timeProcess([VPO_LAUNCHER, "db", "migrate", "--db", processDb], env);
    const processed = await timeProcess([VPO_LAUNCHER, "process", lib, "--policy", policy, "--db", processDb], { ...env, VPO_TOOLS_FFMPEG: loggingFfmpeg }, [0, 1]);
    batch.probes = probes();
    const commands = loggedCommands();
    batch.commands = commands.length;
    restoreLibrary();
    let bare = 0;
    for (const args of commands) bare += (await timeProcess([tools.ffmpeg, ...args], {}, [0, 1])).ms;
    batch.vpo.push(processed.ms);
    batch.bare.push(bare);
    batch.perFile.push((processed.ms - bare) / names.length);
  }
  console.log(`\nms: median (min–max) of ${REPEAT} runs, interleaved\n`);
  console.log("| what | ms | ffprobe calls |\n|---|---|---|");
  console.log(`| cp of ${mb.toFixed(0)} MB (baseline) | ${spread(rows.cp)} | — |`);
  console.log(`| cp, then sync of the copy (a durable copy) | ${spread(rows.durableCp)} | — |`);
  console.log(`| vpo run -- cp {input} {output} | ${spread(rows.vpo)} | ${spread(runProbes, 0)} |`);
  console.log(`| vpo run -- true (the run without output) | ${spread(rows.noOutput)} | — |`);
  console.log(`| vpo stats recent --limit 1 (process floor) | ${spread(rows.floor)} | — |`);
  console.log(`| vpo process, ${names.length} small files (remux policy), ${PROCESS_REPEAT} runs | ${spread(batch.vpo)} | ${batch.probes} (${(batch.probes / names.length).toFixed(1)} a file) |`);
  console.log(`| the same ${batch.commands} ffmpeg commands, bare, one after another | ${spread(batch.bare)} | — |`);
  const extra = median(rows.vpo) - median(rows.cp);
  console.log(`\nvpo run adds ${extra.toFixed(1)} ms to cp (target ≤ 40 ms: ${extra <= 40 ? "met" : "NOT met"}); ${(median(rows.vpo) - median(rows.durableCp)).toFixed(1)} ms to a durable cp.`);
  console.log(`Of that: the process floor ${median(rows.floor).toFixed(1)} ms; the run itself without output ${(median(rows.noOutput) - median(rows.floor)).toFixed(1)} ms over the floor; the copy made durable ${(median(rows.durableCp) - median(rows.cp)).toFixed(1)} ms over cp.`);
  const perFile = median(batch.perFile);
  console.log(`vpo process adds ${spread(batch.perFile)} ms a file to bare ffmpeg over ${names.length} files, one process start included (target ≤ 40 ms: ${perFile <= 40 ? "met" : "NOT met"}); without the start (the floor), ${((median(batch.vpo) - median(batch.bare) - median(rows.floor)) / names.length).toFixed(1)} ms a file.`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
bench.done();
