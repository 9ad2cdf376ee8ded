/**
 * Killing vpo mid-transcode, for real: a subprocess CLI run, SIGKILL (nothing can clean up) or
 * SIGINT (vpo cleans up itself). ffmpeg reads at native speed (-re) so the transcode of a 10 s
 * file is still running when the signal arrives, whatever the machine's load.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { partialHash } from "../../core/mod.ts";
import { isAlive } from "../../engine/mod.ts";
import { ACCEPTANCE_POLICY, leftovers, realtimeFfmpeg, sha256 } from "../engine/_setup.ts";
import { rawStreams, runFfmpeg } from "../fixtures/ffmpeg.ts";
import { copyFixture, type Fixtures, makeFixtures } from "../fixtures/media.ts";
import { ROOT, tempDir, thirdPartyProject, vpo } from "./_cli.ts";

let fixtures: Fixtures;
beforeAll(async () => {
  fixtures = await makeFixtures();
});

/** A library whose first file takes ~10 s to transcode at native speed, plus a second one. */
async function slowLibrary() {
  const dir = tempDir();
  const lib = join(dir, "lib");
  await copyFixture(fixtures, "multi", lib);
  await runFfmpeg(["-f", "lavfi", "-i", "testsrc=size=320x180:rate=10:duration=10", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", join(lib, "long.mkv")]);
  writeFileSync(join(dir, "policy.yaml"), ACCEPTANCE_POLICY());
  const shas: Record<string, string> = Object.fromEntries(await Promise.all(readdirSync(lib).map(async (f) => [f, await sha256(join(lib, f))] as const)));
  return { dir, lib, policy: join(dir, "policy.yaml"), shas, ffmpeg: realtimeFfmpeg(dir) };
}

/** Starts `vpo process --json` and resolves once ffmpeg reports progress on the first file. */
async function startProcessing(s: Awaited<ReturnType<typeof slowLibrary>>) {
  const proc = Bun.spawn([process.execPath, join(ROOT, "cli/main.ts"), "process", s.lib, "--policy", s.policy, "--json"], {
    cwd: s.dir,
    env: { ...process.env, VPO_DATA_DIR: s.dir, VPO_CONFIG: "", VPO_PROFILE: "", NO_COLOR: "1", VPO_TOOLS_FFMPEG: s.ffmpeg },
    stdin: "ignore", stdout: "pipe", stderr: "pipe",
  });
  const reader = proc.stdout.getReader();
  const decoder = new TextDecoder();
  let out = "";
  while (!out.includes('"event":"file.progress"')) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`vpo ended before any progress: ${out}${await new Response(proc.stderr).text()}`);
    out += decoder.decode(value);
  }
  return { proc, rest: async () => out + (await new Response(new ReadableStream({ pull: async (c) => { const r = await reader.read(); r.done ? c.close() : c.enqueue(r.value); } })).text()) };
}

describe("interrupting vpo process", () => {
  test("SIGKILL mid-transcode leaves every original intact; the next start records the run as interrupted and cleans up", async () => {
    const s = await slowLibrary();
    const { proc } = await startProcessing(s);
    proc.kill("SIGKILL");
    await proc.exited;

    const db = new Database(join(s.dir, "library.db"));
    const markers = db.query("SELECT run_id, file_path, child_pid, phase FROM runs_in_flight").all() as { run_id: string; file_path: string; child_pid: number; phase: string }[];
    db.close();
    expect(markers).toHaveLength(1);
    expect(markers[0]).toMatchObject({ file_path: join(s.lib, "long.mkv"), phase: "compress" });
    expect(isAlive(markers[0]!.child_pid)).toBe(true); // ffmpeg outlived vpo, still writing its temp file
    expect(leftovers(s.lib).length).toBeGreaterThan(0);

    const next = await vpo(["scan", s.lib, "--json"], { dataDir: s.dir });
    expect(next.code).toBe(0);
    const recovered = JSON.parse(next.stdout.split("\n")[0]!);
    expect(recovered).toMatchObject({ event: "run.recovered", run_id: markers[0]!.run_id, file: join(s.lib, "long.mkv"), status: "interrupted" });
    expect(recovered.error).toContain('stopped during phase "compress" without finishing — killed or crashed');
    expect(isAlive(markers[0]!.child_pid)).toBe(false);
    expect(leftovers(s.lib)).toEqual([]);
    for (const [file, sha] of Object.entries(s.shas)) expect(await sha256(join(s.lib, file))).toBe(sha);

    const detail = await vpo(["stats", "detail", markers[0]!.run_id, "--format", "json"], { dataDir: s.dir });
    expect(JSON.parse(detail.stdout)).toMatchObject({ status: "interrupted", success: false, video_source_codec: "h264" });
    const after = new Database(join(s.dir, "library.db"));
    expect(after.query("SELECT count(*) AS n FROM runs_in_flight").get()).toEqual({ n: 0 });
    expect(after.query("SELECT status FROM jobs WHERE type = 'process'").get()).toEqual({ status: "cancelled" });
    after.close();
  }, 30000);

  test("SIGINT mid-transcode stops ffmpeg, removes the temp file, records the run as interrupted and exits 130", async () => {
    const s = await slowLibrary();
    const { proc, rest } = await startProcessing(s);
    proc.kill("SIGINT");
    const [code, out] = await Promise.all([proc.exited, rest()]);
    expect(code).toBe(130);
    const events = out.trim().split("\n").map((l) => JSON.parse(l));
    expect(events.find((e) => e.event === "file.finished")).toMatchObject({ status: "interrupted", success: false, file: join(s.lib, "long.mkv") });
    expect(events.at(-1)).toMatchObject({ event: "job.finished", status: "cancelled", interrupted: 1, not_started: 1 });
    expect(leftovers(s.lib)).toEqual([]);
    for (const [file, sha] of Object.entries(s.shas)) expect(await sha256(join(s.lib, file))).toBe(sha);
    const db = new Database(join(s.dir, "library.db"));
    expect(db.query("SELECT count(*) AS n FROM runs_in_flight").get()).toEqual({ n: 0 });
    db.close();
  }, 30000);

  test("vpo run is covered too: after a SIGKILL the next start records its run as interrupted and stops its command", async () => {
    const dir = tempDir();
    const file = await copyFixture(fixtures, "clip", dir);
    const sha = await sha256(file);
    const proc = Bun.spawn([process.execPath, join(ROOT, "cli/main.ts"), "run", file, "--policy-name", "slow", "--", "sh", "-c", "sleep 20; cp {input} {output}"], {
      cwd: dir, env: { ...process.env, VPO_DATA_DIR: dir, VPO_CONFIG: "", VPO_PROFILE: "" }, stdin: "ignore", stdout: "ignore", stderr: "ignore",
    });
    type Marker = { run_id: string; child_pid: number | null };
    let marker = null as Marker | null;
    while (!marker?.child_pid) {
      await Bun.sleep(50);
      try {
        const db = new Database(join(dir, "library.db"), { readonly: true });
        marker = db.query("SELECT run_id, child_pid FROM runs_in_flight").get() as Marker | null;
        db.close();
      } catch {
        // not created yet
      }
    }
    const { run_id, child_pid } = marker as Marker & { child_pid: number };
    proc.kill("SIGKILL");
    await proc.exited;
    expect(isAlive(child_pid)).toBe(true);
    const next = await vpo(["scan", dir, "--json"], { dataDir: dir });
    expect(JSON.parse(next.stdout.split("\n")[0]!)).toMatchObject({ event: "run.recovered", run_id, status: "interrupted" });
    expect(isAlive(child_pid)).toBe(false);
    expect(await sha256(file)).toBe(sha);
  }, 30000);
});

/**
 * A plugin that, in afterRun of a successful run (the new file is in place, the run not yet
 * stored), says so in a file and waits; the test then SIGKILLs vpo from outside, so nothing can
 * clean up. (A plugin cannot kill vpo itself: it runs in a worker.) What the next start records
 * must describe the original as it was before, not the new file.
 */
const CRASH_AFTER_REPLACE = `import { writeFileSync } from "node:fs";
import { definePlugin } from "vpo";
export default definePlugin({
  name: "crash-after-replace",
  version: "0.1.0",
  async afterRun(run) {
    if (!run.outcome?.success) return;
    writeFileSync(process.env.VPO_TEST_REPLACED, run.id);
    await Bun.sleep(60_000);
  },
});
`;

/** Runs vpo until the crash plugin says the file was replaced, then SIGKILLs it. */
async function killAfterReplace(args: string[], project: string): Promise<number> {
  const flag = join(project, "replaced");
  const proc = Bun.spawn([process.execPath, join(ROOT, "cli/main.ts"), ...args], {
    cwd: project, env: { ...process.env, VPO_DATA_DIR: project, NO_COLOR: "1", VPO_CONFIG: "", VPO_TEST_REPLACED: flag }, stdout: "ignore", stderr: "ignore",
  });
  const deadline = Date.now() + 60_000;
  while (!existsSync(flag) && Date.now() < deadline && proc.exitCode === null) await Bun.sleep(20);
  proc.kill("SIGKILL");
  return proc.exited;
}

const CRASHES: { name: string; args: (file: string, dir: string) => string[]; audioAfter: number }[] = [
  { name: "vpo process", args: (file, dir) => ["process", file, "--policy", join(dir, "policy.yaml")], audioAfter: 2 },
  { name: "vpo run", args: (file) => ["run", file, "--policy-name", "strip", "--", "ffmpeg", "-i", "{input}", "-map", "0:v", "-map", "0:a:0", "-c:v", "libx265", "-preset", "ultrafast", "-c:a", "copy", "{output}"], audioAfter: 1 },
];

describe("a crash after the new file is in place", () => {
  for (const c of CRASHES) {
    test(`${c.name}: the next start records the completed run with the original's before facts, once`, async () => {
      const project = thirdPartyProject();
      writeFileSync(join(project, "crash.ts"), CRASH_AFTER_REPLACE);
      writeFileSync(join(project, "policy.yaml"), ACCEPTANCE_POLICY());
      const file = await copyFixture(fixtures, "multi", join(project, "lib"));
      const before = { size: statSync(file).size, hash: await partialHash(file) };

      expect(await killAfterReplace(["--plugin", "./crash.ts", ...c.args(file, project)], project)).toBe(137); // SIGKILL
      expect((await rawStreams(file, "video"))[0]!.codec_name).toBe("hevc"); // replaced before the crash

      const next = await vpo(["scan", join(project, "lib"), "--json"], { dataDir: project });
      expect(next.code).toBe(0);
      const recovered = JSON.parse(next.stdout.split("\n")[0]!);
      expect(recovered).toMatchObject({ event: "run.recovered", status: "success", from: "marker", file });
      const detail = JSON.parse((await vpo(["stats", "detail", recovered.run_id, "--format", "json", "--show-actions"], { dataDir: project })).stdout);
      expect(detail).toMatchObject({
        status: "success", success: true, error_message: null,
        size_before: before.size, hash_before: before.hash, size_after: statSync(file).size, hash_after: await partialHash(file),
        video_source_codec: "h264", video_target_codec: "hevc", video_transcode_skipped: false, encoder_type: "software",
        audio_tracks_before: 3, audio_tracks_after: c.audioAfter, subtitle_tracks_before: 2, attachments_before: 1,
      });
      expect(detail.size_before).not.toBe(detail.size_after);
      expect(detail.actions.length).toBeGreaterThan(0);

      const db = new Database(join(project, "library.db"));
      expect(db.query("SELECT count(*) AS n FROM processing_stats").get()).toEqual({ n: 1 });
      expect(db.query("SELECT count(*) AS n FROM runs_in_flight").get()).toEqual({ n: 0 });
      db.close();
      expect(leftovers(join(project, "lib"))).toEqual([]);
      // A second start finds nothing left to record.
      expect((await vpo(["scan", join(project, "lib"), "--json"], { dataDir: project })).stdout).not.toContain("run.recovered");
    }, 90_000);
  }
});
