/**
 * A nearly full data disk: VPO_DATA_DIR (database, spool) on a small tmpfs filled to a few
 * kilobytes of free space, the media elsewhere. At every level of free space, `vpo run` and
 * `vpo process` either leave the original untouched, or the run is recoverable: once space is
 * freed the next command records it — once, with the original's before facts. Nothing is left
 * behind: no marker, no spool, no temp file; the database passes its integrity check.
 *
 * Needs root (mount -t tmpfs). Without root it is skipped, saying why — except under CI=true,
 * where a skip would hide that the test never ran, so it fails instead.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, statfsSync, statSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { partialHash } from "../../core/mod.ts";
import { tempDir, vpo } from "../cli/_cli.ts";
import { ACCEPTANCE_POLICY, sha256 } from "../engine/_setup.ts";
import { rawStreams } from "../fixtures/ffmpeg.ts";
import { copyFixture, type Fixtures, makeFixtures } from "../fixtures/media.ts";

const isRoot = process.getuid?.() === 0;
if (!isRoot && process.env.CI === "true") {
  throw new Error("full_disk_test needs root to mount a tmpfs; under CI=true it must run, not be skipped");
}
const SKIP_REASON = "skipped: needs root to mount a small tmpfs as the data dir (mount -t tmpfs)";

/** Free bytes left on the data disk before each command: from nothing to enough for everything. */
const LEVELS_KIB = [0, 24, 48, 64, 96, 128, 1024];

const COMMANDS = [
  { name: "vpo run", args: (file: string) => ["run", file, "--policy-name", "strip", "--", "ffmpeg", "-i", "{input}", "-map", "0:v", "-map", "0:a:0", "-c", "copy", "{output}"] },
  { name: "vpo process", args: (file: string, media: string) => ["process", file, "--policy", join(media, "policy.yaml")] },
];

let fixtures: Fixtures;
let dataDir = "";
let media = "";
let mounted = false;

async function sh(...argv: string[]): Promise<void> {
  const p = Bun.spawn(argv, { stdout: "ignore", stderr: "pipe" });
  if ((await p.exited) !== 0) throw new Error(`${argv.join(" ")}: ${await new Response(p.stderr).text()}`);
}

beforeAll(async () => {
  if (!isRoot) return;
  fixtures = await makeFixtures();
  dataDir = tempDir("vpo-fulldisk-data-");
  media = tempDir("vpo-fulldisk-media-");
  await sh("mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", dataDir);
  mounted = true;
  writeFileSync(join(media, "policy.yaml"), ACCEPTANCE_POLICY());
  mkdirSync(join(media, "empty"));
  expect((await vpo(["scan", join(media, "empty")], { dataDir })).code).toBe(0); // the database exists, as it would
});

afterAll(async () => {
  if (mounted) await sh("umount", dataDir);
});

/** Fills the data disk until only about `freeBytes` are left. */
function fillTo(freeBytes: number): string {
  const filler = join(dataDir, "filler");
  const s = statfsSync(dataDir);
  let toWrite = Math.max(0, s.bavail * s.bsize - freeBytes);
  const chunk = Buffer.alloc(64 * 1024, 1);
  const fd = openSync(filler, "w");
  try {
    while (toWrite > 0) {
      const n = writeSync(fd, chunk, 0, Math.min(chunk.length, toWrite));
      toWrite -= n;
    }
  } catch {
    // ENOSPC: as full as it gets
  } finally {
    closeSync(fd);
  }
  return filler;
}

describe("a nearly full data disk", () => {
  test.skipIf(!isRoot)(`vpo run and vpo process at ${LEVELS_KIB.join(", ")} KiB free: the original is untouched, or its run is recorded once space is freed${isRoot ? "" : ` (${SKIP_REASON})`}`, async () => {
    const outcomes: string[] = [];
    for (const kib of LEVELS_KIB) {
      for (const c of COMMANDS) {
        const where = `${c.name} with ${kib} KiB free`;
        const file = await copyFixture(fixtures, "multi", join(media, `${c.name.replace(" ", "-")}-${kib}`));
        const before = { sha: await sha256(file), size: statSync(file).size, hash: await partialHash(file) };
        const filler = fillTo(kib * 1024);
        const run = await vpo(c.args(file, media), { dataDir });
        rmSync(filler);
        const next = await vpo(["scan", join(media, "empty")], { dataDir }); // the next start, with space again
        expect(next.code, `${where}: ${next.stderr}`).toBe(0);
        // A clear message, never a stack trace or an "unexpected error".
        expect(run.stderr, where).not.toContain("    at ");
        expect(run.stderr, where).not.toContain("unexpected error");

        const db = new Database(join(dataDir, "library.db"), { readonly: true });
        const runs = db.query("SELECT * FROM processing_stats WHERE file_path = ?").all(file) as Record<string, unknown>[];
        const markers = (db.query("SELECT count(*) AS n FROM runs_in_flight").get() as { n: number }).n;
        const integrity = (db.query("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check;
        db.close();
        expect({ markers, integrity }, where).toEqual({ markers: 0, integrity: "ok" });
        expect(readdirSync(dataDir).filter((f) => f.includes("unrecorded-runs")), where).toEqual([]);
        expect(readdirSync(join(file, "..")).filter((f) => f.includes(".vpo-")), where).toEqual([]);
        expect(runs.length, where).toBeLessThanOrEqual(1);

        let outcome: string;
        if ((await sha256(file)) === before.sha) {
          expect(runs[0]?.status ?? "none", where).not.toBe("success");
          outcome = `untouched (exit ${run.code}, ${runs.length ? `recorded ${runs[0]!.status}` : "no record"})`;
        } else {
          expect(runs.length, `${where}: replaced, so its run must be recorded`).toBe(1);
          expect(runs[0], where).toMatchObject({ status: "success", size_before: before.size, hash_before: before.hash, size_after: statSync(file).size, audio_tracks_before: 3 });
          expect((await rawStreams(file, "audio")).length, where).toBeLessThan(3);
          outcome = `replaced (exit ${run.code}), recorded${run.code === 0 ? "" : " on the next start"}`;
        }
        outcomes.push(`${where}: ${outcome}`);
        expect(existsSync(file) || runs.length === 0, where).toBe(true);
      }
    }
    console.log(`full_disk_test:\n  ${outcomes.join("\n  ")}`);
  }, 180_000);
});
