/**
 * The original is never left missing, truncated or replaced by an unverified output: failures,
 * verification mismatches, interruptions and a full disk all leave it byte for byte as it was.
 */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getJob } from "../../core/mod.ts";
import { backupPathFor, processFile, runProcessJob } from "../../engine/mod.ts";
import { rawStreams } from "../fixtures/ffmpeg.ts";
import { copyFixture, type Fixtures, makeFixtures } from "../fixtures/media.ts";
import { ACCEPTANCE_POLICY, type EngineFixture, engineFixture, failingFfmpeg, leftovers, loaded, realtimeFfmpeg, sha256 } from "./_setup.ts";

let fixtures: Fixtures;
let fx: EngineFixture | null = null;
beforeAll(async () => {
  fixtures = await makeFixtures();
});
afterEach(async () => {
  await fx?.close();
  fx = null;
});

describe("safety of the original", () => {
  test("an output that fails verification is thrown away and the run fails with the reason", async () => {
    fx = await engineFixture();
    const file = await copyFixture(fixtures, "multi", fx.dir);
    const sha = await sha256(file);
    const realProbe = fx.engine.probe;
    // The output claims to have lost its video stream: verification must catch it.
    const engine = { ...fx.engine, probe: Object.assign(async (p: string) => {
      const info = await realProbe(p);
      return p.includes(".vpo-") && p.includes(".p1") ? { ...info, streams: info.streams.filter((s) => s.type !== "video") } : info;
    }, { renaming: realProbe.renaming }) };
    const { record, changed } = await processFile(engine, { file, policy: loaded(ACCEPTANCE_POLICY()) });
    expect(changed).toBe(false);
    expect(record.success).toBe(false);
    expect(record.error_message).toContain("Output failed verification: 1 video stream(s) planned, 0 found");
    expect(record.error_message).toContain("was left untouched");
    expect(await sha256(file)).toBe(sha);
    expect(leftovers(fx.dir)).toEqual([]);
  }, 30000);

  test("not enough free disk space is refused before any work, with a clear message", async () => {
    fx = await engineFixture();
    const file = await copyFixture(fixtures, "clip", fx.dir);
    const sha = await sha256(file);
    const { record } = await processFile(fx.engine, { file, policy: loaded(ACCEPTANCE_POLICY()), freeBytes: async () => 1000 });
    expect(record.success).toBe(false);
    expect(record.error_message).toMatch(/^Not enough free disk space to process ".*clip\.mp4": about 0\.0 MiB is needed in ".*" but only 0\.0 MiB is free; nothing was changed$/);
    expect(record.phases).toEqual([]);
    expect(await sha256(file)).toBe(sha);
  }, 30000);

  test("--keep-backup keeps the original beside the result, and never overwrites an earlier backup", async () => {
    fx = await engineFixture();
    const file = await copyFixture(fixtures, "clip", fx.dir);
    const sha = await sha256(file);
    const first = await processFile(fx.engine, { file, policy: loaded(ACCEPTANCE_POLICY()), keepBackup: true });
    expect(first.changed).toBe(true);
    expect(await sha256(backupPathFor(file))).toBe(sha);
    expect(backupPathFor(file)).toEndWith("clip.orig.mp4");
    expect((await rawStreams(file, "video"))[0]!.codec_name).toBe("hevc");

    const other = await copyFixture(fixtures, "silent", fx.dir);
    writeFileSync(backupPathFor(other), "an older backup");
    const second = await processFile(fx.engine, { file: other, policy: loaded(ACCEPTANCE_POLICY()), keepBackup: true });
    expect(second.record.error_message).toContain("already exists (an earlier backup is never overwritten)");
    expect(await Bun.file(backupPathFor(other)).text()).toBe("an older backup");
  }, 30000);

  test("a container change puts the new file in place before the old one goes; the record follows it", async () => {
    fx = await engineFixture();
    const file = await copyFixture(fixtures, "clip", fx.dir);
    const policy = loaded(ACCEPTANCE_POLICY("skip", "    container: { target: mkv }\n"));
    const { record, path } = await processFile(fx.engine, { file, policy });
    expect(path).toBe(join(fx.dir, "clip.mkv"));
    expect(existsSync(file)).toBe(false);
    expect(record).toMatchObject({ success: true, file_path: path, size_after: statSync(path).size, video_target_codec: "hevc" });
    expect(record.actions.at(-1)).toMatchObject({ action_type: "container", rule_reference: "phases[1].container.target", after_state: { container: "matroska", ext: ".mkv" } });
  }, 30000);

  test("on_error: fail stops the batch and fails the job; the failed file is untouched", async () => {
    fx = await engineFixture({ ffmpeg: failingFfmpeg(toolsDir(), "libx265") });
    const files = [await copyFixture(fixtures, "clip", fx.dir), await copyFixture(fixtures, "silent", fx.dir)];
    const sha = await sha256(files[0]!);
    const batch = await runProcessJob(fx.engine, { files, policy: loaded(ACCEPTANCE_POLICY("fail")) });
    expect(batch).toMatchObject({ failed: 1, not_started: 1, changed: 0 });
    expect(batch.outcomes[0]!.record.error_message).toContain('Phase "compress" failed (ffmpeg exited with code 1: Unknown encoder \'libx265\' (test stand-in))');
    expect(await sha256(files[0]!)).toBe(sha);
    expect(await getJob(fx.db, batch.job.id)).toMatchObject({ status: "failed", files_affected: 0 });
    expect((await getJob(fx.db, batch.job.id)).error).toContain("on_error: fail");
  }, 30000);

  test("on_error: continue applies the phases that work and records the file as failed", async () => {
    fx = await engineFixture({ ffmpeg: failingFfmpeg(toolsDir(), "libx265") });
    const file = await copyFixture(fixtures, "multi", fx.dir);
    const { record, changed } = await processFile(fx.engine, { file, policy: loaded(ACCEPTANCE_POLICY("continue")) });
    expect(changed).toBe(true);
    expect(record).toMatchObject({ success: false, status: "failed", phases_completed: 1, phases_total: 2, audio_tracks_after: 2, attachments_after: 0 });
    expect(record.error_message).toContain("the other phases were applied (on_error: continue)");
    expect(record.actions.find((a) => a.action_type === "transcode")!.success).toBe(false);
    expect((await rawStreams(file, "video"))[0]!.codec_name).toBe("h264");
    expect(leftovers(fx.dir)).toEqual([]);
  }, 30000);

  test("an interruption mid-transcode kills ffmpeg, removes the temp file and records the run as interrupted", async () => {
    fx = await engineFixture({ ffmpeg: realtimeFfmpeg(toolsDir()) });
    const file = await copyFixture(fixtures, "clip", fx.dir);
    const sha = await sha256(file);
    const controller = new AbortController();
    const off = fx.bus.on("file.progress", () => controller.abort("SIGINT"));
    const batch = await runProcessJob(fx.engine, { files: [file], policy: loaded(ACCEPTANCE_POLICY()), signal: controller.signal, bus: fx.bus });
    off();
    const record = batch.outcomes[0]!.record;
    expect(record.status).toBe("interrupted");
    expect(record.error_message).toBe(`Interrupted by SIGINT during phase "compress"; "${file}" was left untouched`);
    expect(await sha256(file)).toBe(sha);
    expect(leftovers(fx.dir)).toEqual([]);
    expect(batch.job.status).toBe("cancelled");
  }, 30000);
});

/** A directory for test helper scripts, outside the library. */
function toolsDir(): string {
  return mkdtempSync(join(tmpdir(), "vpo-tools-"));
}
