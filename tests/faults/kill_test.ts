/**
 * Fault injection: `vpo process` and `vpo run` are killed with SIGKILL (nothing can clean up) at
 * seeded random moments of a real run, then `vpo scan` starts. Whatever the moment:
 *
 * - the original is intact, or it was replaced by a verified output (the planned codec);
 * - the run has exactly one record when it got as far as its marker, none when killed before,
 *   and a replaced file always has its record — a success with the original's before facts;
 * - an interrupted run is visible as such in `vpo stats recent`;
 * - no temp file and no in-flight marker is left, and `PRAGMA integrity_check` says ok.
 *
 * VPO_FAULT_RUNS kills per command (default 3, small for CI); VPO_FAULT_SEED replays a run's
 * moments (the seed used is printed).
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { partialHash } from "../../core/mod.ts";
import { ROOT, tempDir, vpo } from "../cli/_cli.ts";
import { ACCEPTANCE_POLICY, sha256 } from "../engine/_setup.ts";
import { rawStreams } from "../fixtures/ffmpeg.ts";
import { copyFixture, type Fixtures, makeFixtures } from "../fixtures/media.ts";
import { seededRandom } from "../../monitor/regressions/mod.ts";

const RUNS = Math.max(1, Number(process.env.VPO_FAULT_RUNS ?? 3));
const SEED = Number(process.env.VPO_FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`kill_test: seed ${SEED} (replay with VPO_FAULT_SEED=${SEED}), ${RUNS} kill(s) per command (VPO_FAULT_RUNS)`);


interface Command {
  name: string;
  args(file: string, dir: string): string[];
  /** Audio tracks the output has. */
  audioAfter: number;
}

/** Both transcode h264 → hevc, so a replaced file is recognisable as a verified output. */
const COMMANDS: Command[] = [
  { name: "vpo process", args: (file, dir) => ["process", file, "--policy", join(dir, "policy.yaml")], audioAfter: 2 },
  { name: "vpo run", args: (file) => ["run", file, "--policy-name", "strip", "--", "ffmpeg", "-i", "{input}", "-map", "0:v", "-map", "0:a:0", "-c:v", "libx265", "-preset", "ultrafast", "-c:a", "copy", "{output}"], audioAfter: 1 },
];

let fixtures: Fixtures;
beforeAll(async () => {
  fixtures = await makeFixtures();
});

async function setUp() {
  const dir = tempDir("vpo-fault-");
  writeFileSync(join(dir, "policy.yaml"), ACCEPTANCE_POLICY());
  const file = await copyFixture(fixtures, "multi", join(dir, "lib"));
  return { dir, file, sha: await sha256(file), size: statSync(file).size, hash: await partialHash(file) };
}

/** Starts the command and SIGKILLs it after `delayMs` (unless it finished first). */
async function killAfter(c: Command, s: Awaited<ReturnType<typeof setUp>>, delayMs: number): Promise<number> {
  const proc = Bun.spawn([process.execPath, join(ROOT, "cli/main.ts"), ...c.args(s.file, s.dir)], {
    cwd: s.dir, env: { ...process.env, VPO_DATA_DIR: s.dir, VPO_CONFIG: "", VPO_PROFILE: "", NO_COLOR: "1" }, stdin: "ignore", stdout: "ignore", stderr: "ignore",
  });
  await Promise.race([Bun.sleep(delayMs), proc.exited]);
  proc.kill("SIGKILL");
  return proc.exited;
}

for (const c of COMMANDS) {
  describe(`SIGKILL of ${c.name} at random moments`, () => {
    test(`${RUNS} kill(s): the original is intact or verified-replaced, one record per run with the right before facts, nothing left behind`, async () => {
      const rand = seededRandom(SEED ^ c.name.length);
      // How long an undisturbed run takes here: the kills spread over it (and a little beyond).
      const calibration = await setUp();
      const t0 = performance.now();
      expect(await killAfter(c, calibration, 60_000)).toBe(0);
      const span = (performance.now() - t0) * 1.1;

      for (let i = 0; i < RUNS; i++) {
        const s = await setUp();
        const delay = Math.round(span * (0.15 + 0.95 * rand())); // the first moments are mostly Bun starting
        const code = await killAfter(c, s, delay);
        const next = await vpo(["scan", join(s.dir, "lib"), "--json"], { dataDir: s.dir });
        const where = `${c.name}, kill ${i + 1} at ${delay} ms (seed ${SEED})`;
        expect(next.code, where).toBe(0);

        const db = new Database(join(s.dir, "library.db"), { readonly: true });
        const runs = db.query("SELECT * FROM processing_stats WHERE file_path = ?").all(s.file) as Record<string, unknown>[];
        const markers = db.query("SELECT count(*) AS n FROM runs_in_flight").get() as { n: number };
        const integrity = db.query("PRAGMA integrity_check").get() as { integrity_check: string };
        db.close();
        expect(integrity.integrity_check, where).toBe("ok");
        expect(markers.n, where).toBe(0);
        expect(readdirSync(join(s.dir, "lib")).filter((f) => f.includes(".vpo-")), where).toEqual([]);
        expect(runs.length, where).toBeLessThanOrEqual(1);

        const replaced = (await sha256(s.file)) !== s.sha;
        let outcome = "untouched, no record (killed before its marker)";
        if (replaced) {
          expect((await rawStreams(s.file, "video"))[0]!.codec_name, where).toBe("hevc");
          expect((await rawStreams(s.file, "audio")).length, where).toBe(c.audioAfter);
          expect(runs.length, where).toBe(1);
          expect(runs[0], where).toMatchObject({
            status: "success", size_before: s.size, hash_before: s.hash, size_after: statSync(s.file).size, hash_after: await partialHash(s.file),
            video_source_codec: "h264", video_target_codec: "hevc", audio_tracks_before: 3, audio_tracks_after: c.audioAfter,
          });
          outcome = code === 0 ? "completed before the kill" : "replaced, recorded on the next start";
        } else if (runs.length === 1) {
          expect(runs[0], where).toMatchObject({ status: "interrupted", size_before: s.size, hash_before: s.hash, size_after: s.size, video_source_codec: "h264" });
          const recent = JSON.parse((await vpo(["stats", "recent", "--format", "json"], { dataDir: s.dir })).stdout);
          expect(recent.map((r: { stats_id: string; status: string }) => [r.stats_id, r.status]), where).toEqual([[runs[0]!.id, "interrupted"]]);
          outcome = "untouched, recorded as interrupted";
        }
        console.log(`kill_test: ${where}: exit ${code}; ${outcome}`);
      }
    }, 60_000 + RUNS * 20_000);
  });
}
