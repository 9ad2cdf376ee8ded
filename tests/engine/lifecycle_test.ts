/**
 * The one run lifecycle, held to the same behaviour whichever step is plugged in: the policy's
 * ffmpeg passes (`vpo process`) or an external command (`vpo run`). Real ffmpeg, real files,
 * a real SQLite database; ffmpeg stand-ins only slow ffmpeg down (-re) or make it fail.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, renameSync, rmSync, statSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { listInFlight, partialHash } from "../../core/mod.ts";
import { commandStep, type Engine, policyStep, type RunStep, runLifecycle } from "../../engine/mod.ts";
import { rawStreams, runFfmpeg } from "../fixtures/ffmpeg.ts";
import { copyFixture, type Fixtures, makeFixtures } from "../fixtures/media.ts";
import { ACCEPTANCE_POLICY, type EngineFixture, engineFixture, failingFfmpeg, leftovers, loaded, realtimeFfmpeg, sha256 } from "./_setup.ts";

interface Kind {
  name: string;
  step(engine: Engine): RunStep;
}

/** Both steps turn h264 into hevc, so their outcomes can be checked the same way. */
const KINDS: Kind[] = [
  { name: "vpo process (policy step)", step: (engine) => policyStep(engine, loaded(ACCEPTANCE_POLICY())) },
  { name: "vpo run (command step)", step: (engine) => commandStep(engine, ["ffmpeg", "-i", "{input}", "-map", "0", "-c:v", "libx265", "-preset", "ultrafast", "-c:a", "copy", "{output}"]) },
];

let fixtures: Fixtures;
let tools: string;
/** 4 s of h264 + aac: with ffmpeg at native speed (-re) a transcode lasts ~4 s, time to act mid-run. */
let long: string;
const open: EngineFixture[] = [];

beforeAll(async () => {
  fixtures = await makeFixtures();
  tools = mkdtempSync(join(tmpdir(), "vpo-tools-"));
  long = join(tools, "long.mp4");
  await runFfmpeg([
    "-f", "lavfi", "-i", "testsrc=size=320x180:rate=10:duration=4", "-f", "lavfi", "-i", "sine=frequency=440:duration=4",
    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", long,
  ]);
});
afterAll(async () => {
  for (const fx of open) await fx.close();
});

async function fixture(options: { ffmpeg?: string } = {}): Promise<EngineFixture> {
  const fx = await engineFixture(options);
  open.push(fx);
  return fx;
}

/** What must hold after any run: no temp file, no marker left. */
async function clean(fx: EngineFixture, dir: string) {
  expect(leftovers(dir)).toEqual([]);
  expect(await listInFlight(fx.db, hostname())).toEqual([]);
}

for (const kind of KINDS) {
  describe(`the run lifecycle — ${kind.name}`, () => {
    test("success: the verified output replaces the file; the record has the original's before facts", async () => {
      const fx = await fixture();
      const file = await copyFixture(fixtures, "clip", fx.dir);
      const before = { size: statSync(file).size, hash: await partialHash(file) };
      const { record, changed, stored } = await runLifecycle(fx.engine, kind.step(fx.engine), { file, policyName: "t" });
      expect(record.error_message).toBeNull();
      expect({ changed, stored, status: record.status }).toEqual({ changed: true, stored: { in: "database" }, status: "success" });
      expect(record).toMatchObject({
        size_before: before.size, hash_before: before.hash, size_after: statSync(file).size, hash_after: await partialHash(file),
        video_source_codec: "h264", video_target_codec: "hevc", audio_tracks_before: 1, audio_tracks_after: 1,
      });
      expect((await rawStreams(file, "video"))[0]!.codec_name).toBe("hevc");
      await clean(fx, fx.dir);
    }, 30000);

    test("failure: a failing encoder leaves the file byte for byte as it was; the run is recorded as failed", async () => {
      const fx = await fixture({ ffmpeg: failingFfmpeg(tools, "libx265") });
      const file = await copyFixture(fixtures, "clip", fx.dir);
      const sha = await sha256(file);
      const { record, changed } = await runLifecycle(fx.engine, kind.step(fx.engine), { file, policyName: "t" });
      expect({ changed, status: record.status, success: record.success }).toEqual({ changed: false, status: "failed", success: false });
      expect(record.error_message).toContain("Unknown encoder 'libx265' (test stand-in)");
      expect(record.error_message).toContain("was left untouched");
      expect(await sha256(file)).toBe(sha);
      await clean(fx, fx.dir);
    }, 30000);

    test("interruption through the AbortSignal stops the child mid-run; the run is interrupted, the file untouched", async () => {
      const fx = await fixture({ ffmpeg: realtimeFfmpeg(tools) });
      const file = join(fx.dir, "long.mp4");
      await Bun.write(file, Bun.file(long));
      const sha = await sha256(file);
      const controller = new AbortController();
      const { record, changed } = await runLifecycle(fx.engine, kind.step(fx.engine), {
        file, policyName: "t", signal: controller.signal, onProgress: () => controller.abort("SIGINT"),
      });
      expect({ changed, status: record.status }).toEqual({ changed: false, status: "interrupted" });
      // "during phase": the child was stopped mid-phase, not found finished afterwards.
      expect(record.error_message).toStartWith("Interrupted by SIGINT during phase");
      expect(await sha256(file)).toBe(sha);
      await clean(fx, fx.dir);
    }, 30000);

    test("a source replaced by someone else mid-run is kept as it is now; the run fails with the reason", async () => {
      const fx = await fixture({ ffmpeg: realtimeFfmpeg(tools) });
      const file = join(fx.dir, "long.mp4");
      await Bun.write(file, Bun.file(long));
      const other = await copyFixture(fixtures, "silent", join(fx.dir, "elsewhere"));
      const otherSha = await sha256(other);
      let swapped = false;
      const { record, changed } = await runLifecycle(fx.engine, kind.step(fx.engine), {
        file, policyName: "t", onProgress: () => {
          if (!swapped) renameSync(other, file); // `mv other.mkv long.mp4` while ffmpeg reads the old one
          swapped = true;
        },
      });
      expect(swapped).toBe(true);
      expect({ changed, status: record.status }).toEqual({ changed: false, status: "failed" });
      expect(record.error_message).toContain("Source changed during processing");
      expect(record.error_message).toContain("the current file was kept");
      expect(await sha256(file)).toBe(otherSha);
      await clean(fx, fx.dir);
    }, 30000);

    test("a source deleted mid-run stays deleted: the output of the old content is not put in its place", async () => {
      const fx = await fixture({ ffmpeg: realtimeFfmpeg(tools) });
      const file = join(fx.dir, "long.mp4");
      await Bun.write(file, Bun.file(long));
      let deleted = false;
      const { record, changed } = await runLifecycle(fx.engine, kind.step(fx.engine), {
        file, policyName: "t", onProgress: () => {
          if (!deleted) rmSync(file);
          deleted = true;
        },
      });
      expect({ deleted, changed, status: record.status }).toEqual({ deleted: true, changed: false, status: "failed" });
      expect(record.error_message).toContain(`Source changed during processing: "${file}" was deleted`);
      expect(existsSync(file)).toBe(false);
      await clean(fx, fx.dir);
    }, 30000);

    test("a lost lease: asked right before the rename, a 'no' leaves the original untouched and the run interrupted", async () => {
      const fx = await fixture();
      const file = await copyFixture(fixtures, "clip", fx.dir);
      const sha = await sha256(file);
      const asked: string[][] = [];
      const { record, changed } = await runLifecycle(fx.engine, kind.step(fx.engine), {
        file, policyName: "t", mayReplace: () => {
          asked.push(leftovers(fx.dir)); // the verified output is there, waiting to be renamed
          return false;
        },
      });
      expect(asked).toHaveLength(1);
      expect(asked[0]).toHaveLength(1);
      expect({ changed, status: record.status }).toEqual({ changed: false, status: "interrupted" });
      expect(record.error_message).toContain("Not allowed to replace");
      expect(await sha256(file)).toBe(sha);
      await clean(fx, fx.dir);
    }, 30000);
  });
}
