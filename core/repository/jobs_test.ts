import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { forEachDialect } from "../../tests/dialects.ts";
import { type Db, openDatabase } from "../db/open.ts";
import type { JobsTable } from "../db/schema.ts";
import { VpoError } from "../errors.ts";
import { parseTimeBound } from "../time_filter.ts";
import { hostname } from "node:os";
import { isAlive } from "../process_alive.ts";
import { closeDeadJobs, createJob, getJob, listJobs, purgeExpiredJobs, purgeJobs, shortJobIds, updateJob } from "./jobs.ts";
import { recordRun } from "./record.ts";

const NOW = new Date("2026-06-01T00:00:00Z");
const J = {
  scanOld: "aaaa1111-0000-7000-8000-000000000001",
  processOldFailed: "aaaa2222-0000-7000-8000-000000000002",
  processRecent: "bbbb0001-1000-7000-8000-000000000003",
  runRunning: "bbbb0001-2000-7000-8000-000000000004",
  importCancelled: "cccc0001-0000-7000-8000-000000000005",
  processOldRunning: "dddd0001-0000-7000-8000-000000000006",
};
const job = (id: string, type: JobsTable["type"], status: JobsTable["status"], created_at: string, extra: Partial<JobsTable> = {}): JobsTable => ({
  id, type, status, created_at, started_at: created_at, completed_at: null, policy_name: null, summary: null,
  files_total: null, files_affected: null, error: null, host: null, pid: null, node: null, ...extra,
});
const JOBS = [
  job(J.scanOld, "scan", "completed", "2026-01-10T00:00:00.000Z", { files_total: 40 }),
  job(J.processOldFailed, "process", "failed", "2026-02-20T00:00:00.000Z", { policy_name: "strip", error: "ffmpeg exited with code 1", summary: '{"planned":2}' }),
  job(J.processRecent, "process", "completed", "2026-05-30T12:00:00.000Z", { policy_name: "strip" }),
  job(J.runRunning, "run", "running", "2026-05-31T18:00:00.000Z"),
  job(J.importCancelled, "import", "cancelled", "2026-05-31T23:00:00.000Z"),
  job(J.processOldRunning, "process", "running", "2026-01-05T00:00:00.000Z"),
];
const run = (id: string, job_id: string, success: boolean, size_after?: number) => ({
  id, job_id, success, processed_at: "2026-02-20T01:00:00Z", policy_name: "strip", file_path: `/m/${id}.mkv`, size_before: 1000, size_after,
  error_message: success ? undefined : "boom",
});

forEachDialect("jobs", (dialect) => {
let db: Db;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await openDatabase(await dialect.newLocation()));
  await db.insertInto("jobs").values(JOBS).execute();
  await recordRun(db, run("0000000a-0000-4000-8000-000000000001", J.scanOld, true, 900));
  await recordRun(db, run("0000000b-0000-4000-8000-000000000002", J.processOldFailed, true, 800));
  await recordRun(db, run("0000000c-0000-4000-8000-000000000003", J.processOldFailed, false));
});
afterAll(() => close());

const ids = (jobs: { id: string }[]) => jobs.map((j) => j.id);
function thrown(promise: Promise<unknown>): Promise<VpoError> {
  return promise.then(() => { throw new Error("expected a VpoError"); }, (error) => error as VpoError);
}

describe("listJobs", () => {
  test("lists newest first, 50 at most by default", async () => {
    expect(ids(await listJobs(db))).toEqual([J.importCancelled, J.runRunning, J.processRecent, J.processOldFailed, J.scanOld, J.processOldRunning]);
  });
  test("filters by status", async () => {
    expect(ids(await listJobs(db, { status: "completed" }))).toEqual([J.processRecent, J.scanOld]);
    expect(ids(await listJobs(db, { status: "queued" }))).toEqual([]);
  });
  test("filters by type", async () => {
    expect(ids(await listJobs(db, { type: "process" }))).toEqual([J.processRecent, J.processOldFailed, J.processOldRunning]);
  });
  test("filters by a relative since (1d is the last 24 hours)", async () => {
    const since = parseTimeBound("1d", "since", NOW);
    expect(ids(await listJobs(db, { since }))).toEqual([J.importCancelled, J.runRunning]);
    expect(ids(await listJobs(db, { since: parseTimeBound("2w", "since", NOW), type: "process" }))).toEqual([J.processRecent]);
  });
  test("limit keeps the newest N", async () => {
    expect(ids(await listJobs(db, { limit: 2 }))).toEqual([J.importCancelled, J.runRunning]);
  });
  test("filters combine", async () => {
    expect(ids(await listJobs(db, { type: "process", status: "failed" }))).toEqual([J.processOldFailed]);
  });
});

describe("getJob by id or prefix", () => {
  test("a unique prefix finds the job, with totals of the runs it recorded", async () => {
    const found = await getJob(db, "aaaa2");
    expect(found).toMatchObject({ id: J.processOldFailed, error: "ffmpeg exited with code 1", summary: { planned: 2 } });
    expect(found.runs).toEqual({ count: 2, successes: 1, failures: 1, size_saved: 200 });
  });
  test("the full id finds the job; a job without runs has zero totals", async () => {
    expect((await getJob(db, J.runRunning)).runs).toEqual({ count: 0, successes: 0, failures: 0, size_saved: 0 });
  });
  test("an ambiguous prefix lists the candidates (exit 2)", async () => {
    const error = await thrown(getJob(db, "aaaa"));
    expect([error.code, error.details]).toEqual(["AMBIGUOUS_ID", [J.scanOld, J.processOldFailed]]);
    expect(error.message).toContain(`${J.scanOld}  scan  completed`);
  });
  test("an unknown id is not found (exit 64)", async () => {
    const error = await thrown(getJob(db, "ffff"));
    expect([error.code, error.message]).toEqual(["NOT_FOUND", `No job with id "ffff"`]);
  });
  test("a prefix under 4 characters is refused (exit 2)", async () => {
    const error = await thrown(getJob(db, "aaa"));
    expect(error.code).toBe("INVALID_ARGUMENT");
    expect(error.message).toContain("at least 4 characters");
  });
});

test("short ids are 8 characters, longer where a neighbour shares the prefix", async () => {
  const short = await shortJobIds(db, [J.scanOld, J.processRecent, J.runRunning]);
  expect(Object.fromEntries(short)).toEqual({ [J.scanOld]: "aaaa1111", [J.processRecent]: "bbbb0001-1", [J.runRunning]: "bbbb0001-2" });
});

test("createJob and updateJob: a final status stamps completed_at; summary round-trips as JSON", async () => {
  const queued = await createJob(db, { type: "import", status: "queued" });
  expect([queued.status, queued.started_at, queued.completed_at]).toEqual(["queued", null, null]);
  const done = await updateJob(db, queued.id, { status: "completed", summary: { imported: 3 }, files_affected: 3 });
  expect(done).toMatchObject({ status: "completed", summary: { imported: 3 }, files_affected: 3 });
  expect(done.completed_at).not.toBeNull();
  await db.deleteFrom("jobs").where("id", "=", queued.id).execute();
});

describe("purge", () => {
  test("dry run counts finished jobs before the date and deletes nothing", async () => {
    expect(await purgeJobs(db, { before: "2026-03-01T00:00:00Z", dryRun: true })).toEqual({ jobs: 2 });
    expect(await listJobs(db)).toHaveLength(6);
  });
  test("the automatic purge removes finished jobs past retention; their runs and unfinished jobs stay", async () => {
    expect(await purgeExpiredJobs(db, 90, NOW)).toEqual({ jobs: 2 });
    expect(ids(await listJobs(db))).toEqual([J.importCancelled, J.runRunning, J.processRecent, J.processOldRunning]);
    const runs = await db.selectFrom("processing_stats").select(["job_id"]).orderBy("id").execute();
    expect(runs.map((r) => r.job_id)).toEqual([J.scanOld, J.processOldFailed, J.processOldFailed]);
    expect(await purgeExpiredJobs(db, 90, NOW)).toEqual({ jobs: 0 });
  });
});

describe("jobs of dead processes", () => {
  test("a running job whose process is gone is closed as interrupted; live and other hosts' jobs stay running", async () => {
    const dead = Bun.spawn(["true"]);
    await dead.exited;
    const live = Bun.spawn(["sleep", "30"]);
    try {
      const mine = (id: string, pid: number, host = hostname()) => job(id, "import", "running", "2026-05-31T20:00:00.000Z", { host, pid });
      const [deadJob, liveJob, elsewhere] = ["eeee0001-0000-7000-8000-000000000001", "eeee0002-0000-7000-8000-000000000002", "eeee0003-0000-7000-8000-000000000003"];
      await db.insertInto("jobs").values([mine(deadJob, dead.pid), mine(liveJob, live.pid), mine(elsewhere, dead.pid, "another-host")]).execute();
      const closed = await closeDeadJobs(db, isAlive);
      expect(closed.map((j) => [j.id, j.status])).toEqual([[deadJob, "interrupted"]]);
      const after = Object.fromEntries((await db.selectFrom("jobs").select(["id", "status", "error", "completed_at"]).where("id", "in", [deadJob, liveJob, elsewhere]).execute()).map((r) => [r.id, r]));
      expect(after[deadJob]).toMatchObject({ status: "interrupted", error: expect.stringContaining(`pid ${dead.pid}`), completed_at: expect.any(String) });
      expect(after[liveJob]!.status).toBe("running");
      expect(after[elsewhere]!.status).toBe("running");
      expect(await closeDeadJobs(db, isAlive)).toEqual([]); // closed once
    } finally {
      live.kill();
    }
  });
});
});
