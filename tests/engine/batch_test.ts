/**
 * A job of runs keeps each file's outcome to itself: with several workers, one file whose run
 * the database (and spool) refused neither taints the events nor the counts of the others.
 */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { VpoError } from "../../core/mod.ts";
import { type Engine, runProcessJob } from "../../engine/mod.ts";
import { copyFixture, type Fixtures, makeFixtures } from "../fixtures/media.ts";
import { ACCEPTANCE_POLICY, type EngineFixture, engineFixture, loaded } from "./_setup.ts";

let fixtures: Fixtures;
let fx: EngineFixture | null = null;
beforeAll(async () => {
  fixtures = await makeFixtures();
});
afterEach(async () => {
  await fx?.close();
  fx = null;
});

/** The engine, but the first record it is given can be stored nowhere (database and spool both refuse). */
function refusingFirstRecord(engine: Engine): Engine {
  let refused = false;
  return {
    ...engine,
    async record(run) {
      if (!refused) {
        refused = true;
        throw new VpoError("DB_ERROR", `Cannot store run ${run.id} (disk full) nor save it to the spool (disk full)`);
      }
      return engine.record(run);
    },
  };
}

describe("a job of runs", () => {
  test("one file's storage error stays with that file: the other's event carries none, and the counts add up", async () => {
    fx = await engineFixture();
    const files = [await copyFixture(fixtures, "hevc", fx.dir), await copyFixture(fixtures, "clip", fx.dir)];
    const finished: { file: string; success: boolean; error: unknown }[] = [];
    const off = fx.bus.on("file.finished", (e) => void finished.push({ file: e.file, success: e.success, error: e.error }));
    const batch = await runProcessJob(refusingFirstRecord(fx.engine), { files, policy: loaded(ACCEPTANCE_POLICY()), workers: 2, bus: fx.bus });
    off();
    // hevc needs no work and finishes first: its record is the refused one.
    expect(finished).toEqual([
      { file: files[0]!, success: false, error: expect.stringContaining("disk full") },
      { file: files[1]!, success: true, error: null },
    ]);
    expect(batch).toMatchObject({ files: 2, succeeded: 1, failed: 1, not_started: 0, changed: 1 });
    expect(batch.errors).toEqual([{ file: files[0]!, error: expect.stringContaining("disk full") }]);
    expect(batch.job.status).toBe("failed");
    expect(batch.job.error).toContain("database error");
  }, 30000);
});
