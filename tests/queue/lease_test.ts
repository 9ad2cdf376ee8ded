/**
 * The lease check right before the rename: a worker whose job was taken over (its attempt failed
 * and handed to another worker) never replaces the file — its run is recorded as interrupted,
 * the original stays byte for byte — while the worker holding the current attempt does.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { createRegistry, openDatabase, type OpenedDatabase } from "../../core/mod.ts";
import { createEngine, type Engine, enqueueFiles, type HeldJob, holdsLease, openQueue, processQueueJob, type Queue, QUEUE_NAME, runIdFor } from "../../engine/mod.ts";
import { builtinPlugins } from "../../plugins/mod.ts";
import { tempDir } from "../cli/_cli.ts";
import { ACCEPTANCE_POLICY, loaded, sha256 } from "../engine/_setup.ts";
import { copyFixture, makeFixtures } from "../fixtures/media.ts";
import { pgCluster, pgUnavailable } from "../pg_cluster.ts";

const SETTINGS = { heartbeatSeconds: 10, checkIntervalSeconds: 60, retryLimit: 2, retryDelaySeconds: 0, stopTimeoutSeconds: 5 };

let database: OpenedDatabase;
let queue: Queue;
let engine: Engine;
let lib: string;

beforeAll(async () => {
  if (pgUnavailable()) return;
  const url = await pgCluster().createDatabase();
  database = await openDatabase(url);
  queue = await openQueue(url, SETTINGS);
  lib = join(tempDir("vpo-lease-"), "lib");
  const registry = createRegistry();
  for (const p of builtinPlugins()) registry.register(p);
  engine = createEngine({ db: database.db, registry, node: "node-a", libraries: { movies: lib }, spoolPath: join(lib, "..", "spool.ndjson") });
});
afterAll(async () => {
  await queue?.close();
  await database?.close();
});

/** A job fetched from the queue, as a worker holds it. */
async function fetchOne(): Promise<HeldJob> {
  const [job] = await queue.boss.fetch(QUEUE_NAME);
  expect(job).toBeDefined();
  return { id: job!.id, retryCount: job!.retryCount, data: job!.data, signal: new AbortController().signal };
}

describe.skipIf(pgUnavailable() !== null && process.env.CI !== "true")("the lease is checked again right before the rename", () => {
  test("a worker whose job was taken over does not rename; the worker with the current attempt does", async () => {
    const file = await copyFixture(await makeFixtures(), "multi", lib);
    const before = await sha256(file);
    const policy = { ...loaded(ACCEPTANCE_POLICY()), text: ACCEPTANCE_POLICY() };
    expect(await enqueueFiles(queue, database.db, { files: [{ library: "movies", path: "multi.mkv", file }], policy })).toMatchObject({ queued: 1 });

    const first = await fetchOne();
    // Taken over: the first attempt's lease ends (as when its heartbeats stop) and another worker gets the job.
    await queue.boss.fail(QUEUE_NAME, [{ id: first.id, retryCount: first.retryCount }], { message: "lease lapsed (test)" });
    const second = await fetchOne();
    expect(second.id).toBe(first.id);
    expect(second.retryCount).toBe(first.retryCount + 1);

    const options = (job: HeldJob) => ({ stillOwned: () => holdsLease(queue, job), signal: new AbortController().signal, staleAfterMs: 10_000 });
    const stale = await processQueueJob(engine, first, options(first)).then(() => null, (error: Error) => error);
    expect(stale?.message).toContain("interrupted");
    expect(await sha256(file)).toBe(before);
    const lost = await database.db.selectFrom("processing_stats").selectAll().where("id", "=", runIdFor(first.id, first.retryCount)).executeTakeFirstOrThrow();
    expect(lost).toMatchObject({ status: "interrupted", node: "node-a", library: "movies", size_after: lost.size_before });
    expect(lost.error_message).toContain("Not allowed to replace");
    expect(readdirSync(lib).filter((f) => f.includes(".vpo-"))).toEqual([]);

    const result = await processQueueJob(engine, second, options(second));
    expect(result).toMatchObject({ outcome: "processed", run_id: runIdFor(second.id, second.retryCount), changed: true, node: "node-a" });
    expect(await sha256(file)).not.toBe(before);
    expect(await database.db.selectFrom("runs_in_flight").selectAll().execute()).toEqual([]);
  }, 120_000);
});
