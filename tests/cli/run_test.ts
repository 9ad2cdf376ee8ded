import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { copyFixture, type Fixtures, makeFixtures } from "../fixtures/media.ts";
import { rawStreams } from "../fixtures/ffmpeg.ts";
import { ROOT, thirdPartyProject, tempDir, vpo } from "./_cli.ts";

let fixtures: Fixtures;
beforeAll(async () => {
  fixtures = await makeFixtures();
});

const sha = async (path: string) => new Bun.CryptoHasher("sha256").update(await Bun.file(path).arrayBuffer()).digest("hex");
const STRIP = ["--", "ffmpeg", "-i", "{input}", "-map", "0:v", "-map", "0:a:0", "-c", "copy", "{output}"];

describe("vpo run", () => {
  test("replaces the file with the command's output and records sizes and removed tracks", async () => {
    const dir = tempDir();
    const file = await copyFixture(fixtures, "multi", dir);
    const sizeBefore = statSync(file).size;

    const run = await vpo(["run", file, "--policy-name", "strip", "--json", ...STRIP], { dataDir: dir });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const record = JSON.parse(run.stdout);

    const sizeAfter = statSync(file).size;
    expect(sizeAfter).toBeLessThan(sizeBefore);
    expect((await rawStreams(file, "audio")).length).toBe(1);
    expect(readdirSync(dir).filter((f) => f.includes(".vpo-"))).toEqual([]);
    expect(record).toMatchObject({
      success: true,
      size_before: sizeBefore,
      size_after: sizeAfter,
      size_change: sizeBefore - sizeAfter,
      audio_tracks_before: 3,
      audio_tracks_after: 1,
      audio_tracks_removed: 2,
      subtitle_tracks_removed: 2,
      attachments_removed: 1,
      video_source_codec: "h264",
      phases_completed: 1,
      phases_total: 1,
    });

    const summary = await vpo(["stats", "summary", "--format", "json"], { dataDir: dir });
    expect(summary.code).toBe(0);
    expect(JSON.parse(summary.stdout)).toMatchObject({
      total_files_processed: 1,
      total_successful: 1,
      total_size_saved: sizeBefore - sizeAfter,
      total_audio_removed: 2,
      total_subtitles_removed: 2,
      total_attachments_removed: 1,
    });

    const detail = await vpo(["stats", "detail", record.id.slice(0, 8), "--show-actions", "--show-performance"], { dataDir: dir });
    expect(detail.code).toBe(0);
    expect(detail.stdout).toContain("Audio         3 → 1 (-2 removed)");
    expect(detail.stdout).toContain("command");
    expect(detail.stdout).toContain(`Run ${record.id}`);
  });

  test("a failing command is recorded as failed and leaves the input byte-for-byte untouched", async () => {
    const dir = tempDir();
    const file = await copyFixture(fixtures, "clip", dir);
    const before = await sha(file);
    const run = await vpo(["run", file, "--policy-name", "bad", "--json", "--", "ffmpeg", "-i", "{input}", "-c:v", "no_such_encoder", "{output}"], { dataDir: dir });
    expect(run.code).toBe(1);
    const record = JSON.parse(run.stdout);
    expect(record.success).toBe(false);
    expect(record.error_message).toContain("Command exited with code");
    expect(record.error_message).toContain("left untouched");
    expect(await sha(file)).toBe(before);
    expect(readdirSync(dir).filter((f) => f.includes(".vpo-"))).toEqual([]);

    const summary = JSON.parse((await vpo(["stats", "summary", "--format", "json"], { dataDir: dir })).stdout);
    expect(summary).toMatchObject({ total_files_processed: 1, total_failed: 1, total_successful: 0 });
  });

  test("a command line longer than the record keeps is recorded with its head, and the run is stored (not left to a recovery that cannot store it)", async () => {
    const dir = tempDir();
    const file = await copyFixture(fixtures, "clip", dir);
    const filler = Array.from({ length: 2000 }, (_, i) => `argument-${i}-${"x".repeat(50)}`); // ~120 KB of JSON
    const run = await vpo(["run", file, "--policy-name", "long", "--json", "--", "sh", "-c", 'cp "$1" "$2"', "sh", "{input}", "{output}", ...filler], { dataDir: dir });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const argv: string[] = JSON.parse(run.stdout).actions[0].before_state.argv;
    expect(argv.slice(0, 6)).toEqual(["sh", "-c", 'cp "$1" "$2"', "sh", "{input}", "{output}"]);
    expect(argv.at(-1)).toMatch(/^… \d+ more argument\(s\) not recorded/);
    expect(JSON.stringify({ argv }).length).toBeLessThanOrEqual(65_536);
    const next = await vpo(["run", file, "--policy-name", "long", "--", "true"], { dataDir: dir });
    expect(next.stderr).toBe("");
    expect(next.code).toBe(0);
  });

  test("a policy name the record would refuse is refused before the file is touched (not a replaced file whose run can never be stored)", async () => {
    const dir = tempDir();
    const file = await copyFixture(fixtures, "clip", dir);
    const before = await sha(file);
    for (const name of ["", "x".repeat(20_000)]) {
      const run = await vpo(["run", file, "--policy-name", name, "--", "sh", "-c", 'head -c 100 "$1" > "$2"', "sh", "{input}", "{output}"], { dataDir: dir });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^vpo: Cannot record runs under the policy name ".*"…?: Expected (a non-empty string|at most 16384 characters); nothing was changed\n$/);
    }
    expect(await sha(file)).toBe(before);
    const next = await vpo(["run", file, "--policy-name", "ok", "--", "true"], { dataDir: dir });
    expect([next.code, next.stderr]).toEqual([0, ""]); // no run left unfinished to recover
  });

  test("a command that writes nothing to {output} leaves the input alone", async () => {
    const dir = tempDir();
    const file = await copyFixture(fixtures, "clip", dir);
    const before = await sha(file);
    const run = await vpo(["run", file, "--policy-name", "noop", "--json", "--", "true", "{output}"], { dataDir: dir });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).error_message).toContain("wrote no output");
    expect(await sha(file)).toBe(before);
  });

  test("a truncated file fails cleanly, with the tracks plugin's failure on the run", async () => {
    const dir = tempDir();
    const file = await copyFixture(fixtures, "truncated", dir);
    const before = await sha(file);
    const run = await vpo(["run", file, "--policy-name", "strip", "--json", ...STRIP], { dataDir: dir });
    expect(run.code).toBe(1);
    const record = JSON.parse(run.stdout);
    expect(record.success).toBe(false);
    expect(record.plugin_errors.some((e: { plugin: string }) => e.plugin === "tracks")).toBe(true);
    expect(await sha(file)).toBe(before);
  });

  test("a third-party plugin loaded with --plugin has its metric aggregated by stats metrics", async () => {
    const project = thirdPartyProject();
    writeFileSync(
      join(project, "their-plugin.ts"),
      `import * as v from "valibot";
import { definePlugin } from "vpo";
export default definePlugin({
  name: "name-length",
  version: "0.1.0",
  metrics: v.object({ name_length: v.number() }),
  afterRun: (run) => ({ name_length: run.filePath.split("/").pop()!.length }),
});
`,
    );
    const file = await copyFixture(fixtures, "clip", project);
    const run = await vpo(["--plugin", "./their-plugin.ts", "run", file, "--policy-name", "copy", "--json", "--", "ffmpeg", "-i", "{input}", "-c", "copy", "{output}"], { dataDir: project, cwd: project });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).plugin_metrics["name-length"]).toEqual({ name_length: "clip.mp4".length });

    const metrics = await vpo(["stats", "metrics", "--plugin", "name-length", "--format", "json"], { dataDir: project });
    expect(metrics.code).toBe(0);
    expect(JSON.parse(metrics.stdout)).toEqual([{ plugin: "name-length", key: "name_length", count: 1, sum: 8, avg: 8, min: 8, max: 8 }]);

    const list = await vpo(["plugins", "list", "--json", "--plugin", "./their-plugin.ts"], { dataDir: project, cwd: project });
    const names = JSON.parse(list.stdout).map((p: { name: string; source: string }) => `${p.name}@${p.source}`);
    expect(names).toEqual(["size@built-in", "hash@built-in", "tracks@built-in", "transcode@built-in", "timing@built-in", "name-length@./their-plugin.ts"]);
  });

  test("bad input gets a clear message and the contract exit code", async () => {
    const dir = tempDir();
    const missing = await vpo(["run", join(dir, "nope.mkv"), "--policy-name", "x", "--", "ffmpeg", "-i", "{input}", "{output}"], { dataDir: dir });
    expect(missing.code).toBe(64);
    expect(missing.stderr).toContain("No such file");
    const folder = await vpo(["run", dir, "--policy-name", "x", "--", "cp", "{input}", "{output}"], { dataDir: dir });
    expect([folder.code, folder.stderr]).toEqual([2, `vpo: Cannot run on "${dir}": it is a directory (vpo process takes directories)\n`]);
    const fifo = join(dir, "pipe.mkv");
    expect(Bun.spawnSync(["mkfifo", fifo]).exitCode).toBe(0);
    const notAFile = await vpo(["run", fifo, "--policy-name", "x", "--", "cp", "{input}", "{output}"], { dataDir: dir });
    expect([notAFile.code, notAFile.stderr]).toEqual([2, `vpo: "${fifo}" is not a regular file (a device, FIFO or socket): there is no media file to read\n`]);
    const noCommand = await vpo(["run", join(dir, "nope.mkv"), "--policy-name", "x"], { dataDir: dir });
    expect(noCommand.code).toBe(2);
    expect(noCommand.stderr).toContain("No command given");
    const badPlugin = await vpo(["--plugin", "./missing-plugin.ts", "plugins", "list"], { dataDir: dir });
    expect(badPlugin.code).toBe(1);
    expect(badPlugin.stderr).toContain('Cannot load plugin "./missing-plugin.ts"');
    const empty = await vpo(["stats", "summary"], { dataDir: dir });
    expect(empty.code).toBe(65);
    expect(empty.stderr).toContain("No statistics found");
    const badDate = await vpo(["stats", "summary", "--since", "yesterday"], { dataDir: dir });
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toContain('Invalid since "yesterday"');
    for (const r of [missing, noCommand, badPlugin, empty, badDate]) expect(r.stderr).not.toContain("    at ");
  });

  test("a source replaced while the command runs is kept byte for byte; the run fails saying why", async () => {
    const dir = tempDir();
    const file = await copyFixture(fixtures, "clip", dir);
    const other = await copyFixture(fixtures, "multi", join(dir, "elsewhere"));
    const otherSha = await sha(other);
    const proc = Bun.spawn([process.execPath, join(ROOT, "cli/main.ts"), "run", file, "--policy-name", "copy", "--json", "--", "sh", "-c", "cp {input} {output} && sleep 2"], {
      cwd: dir, env: { ...process.env, VPO_DATA_DIR: dir, VPO_CONFIG: "", VPO_PROFILE: "" }, stdin: "ignore", stdout: "pipe", stderr: "pipe",
    });
    // Once the command has copied the old content, someone else puts a new file in place.
    while (!readdirSync(dir).some((f) => f.includes(".vpo-"))) await Bun.sleep(20);
    renameSync(other, file);
    const [code, stdout] = await Promise.all([proc.exited, new Response(proc.stdout).text()]);
    expect(code).toBe(1);
    const record = JSON.parse(stdout);
    expect(record).toMatchObject({ status: "failed", success: false });
    expect(record.error_message).toStartWith(`Source changed during processing: "${file}" was replaced or modified`);
    expect(await sha(file)).toBe(otherSha);
    expect(readdirSync(dir).filter((f) => f.includes(".vpo-"))).toEqual([]);
  });
});
