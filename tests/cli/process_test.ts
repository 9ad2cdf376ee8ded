import { beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ACCEPTANCE_POLICY, leftovers, realtimeFfmpeg, sha256 } from "../engine/_setup.ts";
import { runFfmpeg } from "../fixtures/ffmpeg.ts";
import { copyFixture, type Fixtures, makeFixtures } from "../fixtures/media.ts";
import { ROOT, tempDir, vpo } from "./_cli.ts";

let fixtures: Fixtures;
beforeAll(async () => {
  fixtures = await makeFixtures();
});

const lines = (stdout: string) => stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);

async function library(names: ("multi" | "clip" | "hevc" | "truncated")[]) {
  const dir = tempDir();
  const lib = join(dir, "lib");
  for (const n of names) await copyFixture(fixtures, n, lib);
  writeFileSync(join(dir, "policy.yaml"), ACCEPTANCE_POLICY());
  return { dir, lib, policy: join(dir, "policy.yaml") };
}

describe("vpo scan / vpo process (CLI)", () => {
  test("scan prints Discovered/Skipped/Scanned/Added/Removed/Errors, and the same as JSON", async () => {
    const { dir, lib } = await library(["multi", "truncated"]);
    const first = await vpo(["scan", lib], { dataDir: dir });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Discovered: +2\nSkipped \(unchanged\): 0\nScanned: +2\nAdded: +2\nRemoved: +0\nErrors: +1\n/);
    expect(first.stdout).toContain("truncated.mkv: Cannot read media file");
    const again = await vpo(["scan", lib, "--json"], { dataDir: dir });
    expect(JSON.parse(again.stdout)).toMatchObject({ discovered: 2, skipped: 2, scanned: 0, added: 0, removed: 0, errors: 0 });
    const missing = await vpo(["scan", join(dir, "nope")], { dataDir: dir });
    expect([missing.code, missing.stderr.trim()]).toEqual([64, `vpo: No such file or directory: "${join(dir, "nope")}"`]);
  }, 30000);

  test("--dry-run prints each file's plan with its rules and touches nothing", async () => {
    const { dir, lib, policy } = await library(["multi", "hevc"]);
    const shas = await Promise.all(readdirSync(lib).map((f) => sha256(join(lib, f))));
    const text = await vpo(["process", lib, "--policy", policy, "--dry-run"], { dataDir: dir });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('remove         audio #3 fre opus       language "fre" is not in [jpn, eng]  [phases[0].keep_audio.languages]');
    expect(text.stdout).toContain("→ 4 change(s); the file would be rewritten");
    expect(text.stdout).toContain("skipped: codec hevc is in [hevc]  [phases[1].transcode.video.skip_if.codec_matches]");
    expect(text.stdout).toContain("→ no changes; the file would not be rewritten");
    const json = lines((await vpo(["process", lib, "--policy", policy, "--dry-run", "--json"], { dataDir: dir })).stdout);
    expect(json.map((l) => [l.event, l.changes])).toEqual([["file.plan", false], ["file.plan", true]]);
    expect(await Promise.all(readdirSync(lib).map((f) => sha256(join(lib, f))))).toEqual(shas);
    expect((await vpo(["stats", "summary"], { dataDir: dir })).code).toBe(65);
    // Nothing to plan says so, as the run does, rather than print nothing.
    const none = await vpo(["process", lib, "--policy", policy, "--dry-run", "--ext", "avi"], { dataDir: dir });
    expect([none.code, none.stdout, none.stderr]).toEqual([0, "", `vpo: no media files (avi) found under "${lib}"\n`]);
  }, 30000);

  test("--json streams NDJSON events with run ids; --workers 2 starts two files at once; stats agree", async () => {
    const { dir, lib, policy } = await library(["clip", "hevc"]);
    const run = await vpo(["process", lib, "--policy", policy, "--json", "--workers", "2"], { dataDir: dir });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const events = lines(run.stdout);
    expect(events.slice(0, 2).map((e) => e.event)).toEqual(["file.started", "file.started"]);
    const finished = events.filter((e) => e.event === "file.finished");
    expect(finished.map((e) => [String(e.file).split("/").pop(), e.success, e.changed])).toEqual(expect.arrayContaining([["clip.mp4", true, true], ["hevc.mkv", true, false]]));
    for (const e of finished) expect(e.run_id).toMatch(/^[0-9a-f-]{36}$/);
    const done = events.at(-1)!;
    expect(done).toMatchObject({ event: "job.finished", status: "completed", files: 2, changed: 1, unchanged: 1, failed: 0 });
    const summary = JSON.parse((await vpo(["stats", "summary", "--format", "json"], { dataDir: dir })).stdout);
    expect(summary).toMatchObject({ total_files_processed: 2, total_videos_transcoded: 1, total_videos_skipped: 1, total_size_saved: done.size_saved });
  }, 30000);

  test("a policy by name comes from the data dir; plain lines off a terminal; a failed file means exit 1", async () => {
    const { dir, lib } = await library(["clip", "truncated"]);
    mkdirSync(join(dir, "policies"));
    writeFileSync(join(dir, "policies", "mine.yaml"), ACCEPTANCE_POLICY());
    const run = await vpo(["process", lib, "--policy", "mine"], { dataDir: dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/\[1\/2\] done +.*clip\.mp4 {2}· {2}[\d.]+ KiB saved/);
    expect(run.stdout).toMatch(/\[2\/2\] FAILED +.*truncated\.mkv.*\n +Cannot read media file/);
    expect(run.stdout).toMatch(/Processed 2 file\(s\) with policy "acceptance": 1 changed, 0 unchanged, 1 failed · .* saved · job .* completed/);
  }, 30000);

  test("bad input: clear messages and contract exit codes, never a stack trace", async () => {
    const { dir, lib, policy } = await library(["clip"]);
    writeFileSync(join(dir, "bad.yaml"), ACCEPTANCE_POLICY().replace("keep_audio:", "keep_audoi:"));
    const results = await Promise.all([
      vpo(["process", lib, "--policy", join(dir, "bad.yaml")], { dataDir: dir }),
      vpo(["process", lib, "--policy", "nosuch"], { dataDir: dir }),
      vpo(["process", join(dir, "nope.mkv"), "--policy", policy], { dataDir: dir }),
      vpo(["process", lib, "--policy", policy, "--workers", "0"], { dataDir: dir }),
    ]);
    const [bad, unknown, missing, workers] = results;
    expect([bad!.code, bad!.stderr.trim()]).toEqual([2, `vpo: Cannot read policy "${join(dir, "bad.yaml")}": phases[0].keep_audoi: unknown key "keep_audoi" (did you mean "keep_audio"?)`]);
    expect(unknown!.code).toBe(64);
    expect(unknown!.stderr).toContain('No policy named "nosuch"');
    expect(missing!.code).toBe(64);
    expect(workers!.code).toBe(2);
    expect(workers!.stderr).toBe("vpo: Invalid --workers 0: expected at least 1\n"); // said once, without "Invalid arguments: Invalid …"
    for (const r of results) expect(r.stderr).not.toContain("    at ");
  }, 30000);
});

/**
 * `vpo process --json` of one file with ffmpeg at native speed (-re), so the transcode of a 4 s
 * file lasts ~4 s; `during` runs once the first progress event arrived. Resolves with the exit
 * code and the events.
 */
async function processWhile(dir: string, file: string, during: () => void) {
  const proc = Bun.spawn([process.execPath, join(ROOT, "cli/main.ts"), "process", file, "--policy", join(dir, "policy.yaml"), "--json"], {
    cwd: dir,
    env: { ...process.env, VPO_DATA_DIR: dir, VPO_CONFIG: "", VPO_PROFILE: "", NO_COLOR: "1", VPO_TOOLS_FFMPEG: realtimeFfmpeg(dir) },
    stdin: "ignore", stdout: "pipe", stderr: "pipe",
  });
  const decoder = new TextDecoder();
  let out = "";
  let acted = false;
  for await (const chunk of proc.stdout) {
    out += decoder.decode(chunk);
    if (!acted && out.includes('"event":"file.progress"')) {
      during();
      acted = true;
    }
  }
  const code = await proc.exited;
  return { code, acted, stderr: await new Response(proc.stderr).text(), events: lines(out) };
}

async function slowFile(dir: string): Promise<string> {
  writeFileSync(join(dir, "policy.yaml"), ACCEPTANCE_POLICY());
  const file = join(dir, "lib", "r.mkv");
  mkdirSync(join(dir, "lib"), { recursive: true });
  await runFfmpeg(["-f", "lavfi", "-i", "testsrc=size=320x180:rate=10:duration=4", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", file]);
  return file;
}

describe("a source changed by someone else while vpo process works on it", () => {
  test("replaced (mv other.mkv r.mkv): the new content stays byte for byte; the run fails saying why", async () => {
    const dir = tempDir();
    const file = await slowFile(dir);
    const other = await copyFixture(fixtures, "hevc", join(dir, "elsewhere"));
    const otherSha = await sha256(other);
    const run = await processWhile(dir, file, () => renameSync(other, file));
    expect(run.acted).toBe(true);
    expect(run.code).toBe(1);
    const finished = run.events.find((e) => e.event === "file.finished")!;
    expect(finished).toMatchObject({ status: "failed", changed: false });
    expect(String(finished.error)).toStartWith(`Source changed during processing: "${file}" was replaced or modified by something else meanwhile; the current file was kept`);
    expect(await sha256(file)).toBe(otherSha);
    expect(leftovers(join(dir, "lib"))).toEqual([]);
  }, 30000);

  test("deleted: nothing is put in its place; the run fails saying why", async () => {
    const dir = tempDir();
    const file = await slowFile(dir);
    const run = await processWhile(dir, file, () => rmSync(file));
    expect([run.acted, run.code]).toEqual([true, 1]);
    expect(String(run.events.find((e) => e.event === "file.finished")!.error)).toContain(`Source changed during processing: "${file}" was deleted`);
    expect(existsSync(file)).toBe(false);
    expect(leftovers(join(dir, "lib"))).toEqual([]);
  }, 30000);
});

/**
 * A directory nothing can be written in: a read-only tmpfs mount when running as root (root
 * ignores permission bits), else a directory without write permission.
 */
async function unwritableDir(dir: string): Promise<{ path: string; why: RegExp; release(): Promise<void> }> {
  const path = join(dir, "ro");
  mkdirSync(path);
  const sh = async (...argv: string[]) => {
    const p = Bun.spawn(argv, { stdout: "ignore", stderr: "pipe" });
    if ((await p.exited) !== 0) throw new Error(`${argv.join(" ")}: ${await new Response(p.stderr).text()}`);
  };
  if (process.getuid?.() === 0) {
    await sh("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", path);
    copyFileSync(fixtures.clip, join(path, "clip.mp4"));
    await sh("mount", "-o", "remount,ro", path);
    return { path, why: /is on a read-only file system/, release: () => sh("umount", path) };
  }
  copyFileSync(fixtures.clip, join(path, "clip.mp4"));
  chmodSync(path, 0o555);
  return { path, why: /no permission to write in/, release: async () => chmodSync(path, 0o755) };
}

describe("a folder that cannot be written", () => {
  test("processing fails with the real cause, not a cleanup error; --dry-run says the file cannot be rewritten", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "policy.yaml"), ACCEPTANCE_POLICY());
    const ro = await unwritableDir(dir);
    try {
      const sha = await sha256(join(ro.path, "clip.mp4"));
      const run = await vpo(["process", ro.path, "--policy", join(dir, "policy.yaml")], { dataDir: dir });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(new RegExp(`FAILED .*clip\\.mp4.*\\n +Cannot rewrite ".*clip\\.mp4": "${ro.path}" ${ro.why.source}; nothing was changed\\n`));
      expect(run.stdout).not.toContain("EROFS");
      expect(await sha256(join(ro.path, "clip.mp4"))).toBe(sha);

      const dry = await vpo(["process", ro.path, "--policy", join(dir, "policy.yaml"), "--dry-run"], { dataDir: dir });
      expect(dry.code).toBe(1);
      expect(dry.stdout).toMatch(new RegExp(`→ 1 change\\(s\\), but the file cannot be rewritten: "${ro.path}" ${ro.why.source}`));
      expect(dry.stdout).not.toContain("would be rewritten");
      const json = lines((await vpo(["process", ro.path, "--policy", join(dir, "policy.yaml"), "--dry-run", "--json"], { dataDir: dir })).stdout);
      expect(json[0]).toMatchObject({ event: "file.plan", changes: true, cannot_write: expect.stringMatching(ro.why) });
    } finally {
      await ro.release();
    }
  }, 30000);
});
