import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getFileByPath, getJob, type ProbeFn, recordRun } from "../../core/mod.ts";
import { runScan } from "../../engine/scan.ts";
import { copyFixture, type Fixtures, makeFixtures } from "../fixtures/media.ts";
import { type EngineFixture, engineFixture } from "./_setup.ts";

let fixtures: Fixtures;
let fx: EngineFixture | null = null;
beforeAll(async () => {
  fixtures = await makeFixtures();
});
afterEach(async () => {
  await fx?.close();
  fx = null;
});

/** The engine's probe, counting calls: a skipped file must cost no ffprobe. */
function countingProbe(probe: ProbeFn) {
  const calls: string[] = [];
  return { calls, probe: (path: string) => (calls.push(path), probe(path)) };
}

async function library() {
  fx = await engineFixture();
  const lib = join(fx.dir, "lib");
  mkdirSync(join(lib, "season 1"), { recursive: true });
  const files = {
    multi: await copyFixture(fixtures, "multi", lib),
    clip: await copyFixture(fixtures, "clip", join(lib, "season 1")),
    truncated: await copyFixture(fixtures, "truncated", lib),
  };
  writeFileSync(join(lib, "notes.txt"), "not media");
  writeFileSync(join(lib, ".hidden.mkv"), "vpo temp files are hidden");
  return { lib, files };
}

describe("vpo scan", () => {
  test("introspects new files into the files table; an unreadable one is recorded as an error and the scan goes on", async () => {
    const { lib, files } = await library();
    const counter = countingProbe(fx!.engine.probe);
    const s = await runScan(fx!.db, counter.probe, { paths: [lib] });
    expect(s).toMatchObject({ discovered: 3, skipped: 0, scanned: 3, added: 3, removed: 0, errors: 1 });
    expect(s.error_files[0]!.path).toBe(files.truncated);
    const multi = await getFileByPath(fx!.db, files.multi);
    expect(multi).toMatchObject({ container: "matroska", scan_status: "ok", size_bytes: statSync(files.multi).size, scan_error: null });
    expect(multi!.content_hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(multi!.duration).toBeCloseTo(2, 0);
    expect(multi!.streams!.map((x) => [x.index, x.type, x.codec, x.language, x.isDefault, x.isForced])).toEqual([
      [0, "video", "h264", null, true, false], [1, "audio", "aac", "eng", true, false], [2, "audio", "aac", "jpn", false, false],
      [3, "audio", "opus", "fre", false, false], [4, "subtitle", "subrip", "eng", false, false], [5, "subtitle", "subrip", "fre", false, true],
      [6, "attachment", "ttf", null, false, false],
    ]);
    expect(multi!.streams![0]).toMatchObject({ width: 320, height: 180 });
    expect(await getFileByPath(fx!.db, files.truncated)).toMatchObject({ scan_status: "error", scan_error: expect.stringContaining("Cannot read media file") });
    expect(await getJob(fx!.db, s.job_id)).toMatchObject({ type: "scan", status: "completed", files_total: 3, summary: expect.objectContaining({ scanned: 3, errors: 1 }) });
  }, 30000);

  test("a rescan skips unchanged files without ffprobe, re-reads changed ones, and --full re-reads all", async () => {
    const { lib, files } = await library();
    await runScan(fx!.db, fx!.engine.probe, { paths: [lib] });
    const counter = countingProbe(fx!.engine.probe);
    expect(await runScan(fx!.db, counter.probe, { paths: [lib] })).toMatchObject({ discovered: 3, skipped: 3, scanned: 0, added: 0 });
    expect(counter.calls).toEqual([]);

    const later = new Date(Date.now() + 5000);
    utimesSync(files.clip, later, later);
    expect(await runScan(fx!.db, counter.probe, { paths: [lib] })).toMatchObject({ skipped: 2, scanned: 1, added: 0 });
    expect(counter.calls).toEqual([files.clip]);

    expect(await runScan(fx!.db, counter.probe, { paths: [lib], full: true })).toMatchObject({ skipped: 0, scanned: 3 });
  }, 30000);

  test("--verify-hash finds content changed behind an unchanged size and mtime", async () => {
    const { lib, files } = await library();
    await runScan(fx!.db, fx!.engine.probe, { paths: [lib] });
    const { mtime, size } = statSync(files.clip);
    // Same bytes count, same mtime, other content: only a hash can tell.
    await Bun.write(files.clip, await Bun.file(fixtures.multi).slice(0, size).bytes());
    utimesSync(files.clip, mtime, mtime);
    expect(await runScan(fx!.db, fx!.engine.probe, { paths: [lib] })).toMatchObject({ skipped: 3, scanned: 0 });
    expect(await runScan(fx!.db, fx!.engine.probe, { paths: [lib], verifyHash: true })).toMatchObject({ skipped: 2, scanned: 1 });
  }, 30000);

  test("files gone from disk are marked missing; --prune deletes their rows and keeps their runs", async () => {
    const { lib, files } = await library();
    await runScan(fx!.db, fx!.engine.probe, { paths: [lib] });
    await recordRun(fx!.db, { file_path: files.clip, processed_at: new Date().toISOString(), policy_name: "p", success: true });
    rmSync(files.clip);
    expect(await runScan(fx!.db, fx!.engine.probe, { paths: [lib] })).toMatchObject({ discovered: 2, removed: 1 });
    expect((await getFileByPath(fx!.db, files.clip))!.scan_status).toBe("missing");
    expect(await runScan(fx!.db, fx!.engine.probe, { paths: [lib] })).toMatchObject({ removed: 0 });
    expect(await runScan(fx!.db, fx!.engine.probe, { paths: [lib], prune: true })).toMatchObject({ removed: 1 });
    expect(await getFileByPath(fx!.db, files.clip)).toBeNull();
    const runs = await fx!.db.selectFrom("processing_stats").select(["file_path", "file_id"]).execute();
    expect(runs).toEqual([{ file_path: files.clip, file_id: null }]);
  }, 30000);

  test("a file still on disk that this scan did not look for is not missing: another extension, a hidden folder", async () => {
    const { lib, files } = await library();
    await runScan(fx!.db, fx!.engine.probe, { paths: [lib] });
    expect(await runScan(fx!.db, fx!.engine.probe, { paths: [lib], extensions: ["avi"] })).toMatchObject({ discovered: 0, removed: 0 });
    expect((await getFileByPath(fx!.db, files.multi))!.scan_status).toBe("ok");
    // Scanned once on its own, then reached from a parent that skips hidden folders.
    const hidden = join(lib, ".trash");
    mkdirSync(hidden);
    const tucked = await copyFixture(fixtures, "clip", hidden);
    await runScan(fx!.db, fx!.engine.probe, { paths: [tucked] });
    expect(await runScan(fx!.db, fx!.engine.probe, { paths: [lib], prune: true })).toMatchObject({ removed: 0 });
    expect((await getFileByPath(fx!.db, tucked))!.scan_status).toBe("ok");
    expect((await getFileByPath(fx!.db, files.multi))!.scan_status).toBe("ok");
  }, 30000);

  test("a missing path is refused before anything is read", async () => {
    fx = await engineFixture();
    await expect(runScan(fx.db, fx.engine.probe, { paths: [join(fx.dir, "nope")] })).rejects.toThrow(/^No such file or directory: ".*nope"$/);
  }, 30000);
});
