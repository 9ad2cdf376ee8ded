/**
 * One run in flight per file across every machine, and taking over what a dead machine left:
 * markers name their file as library + path (machines mount the share at different paths); a
 * second run on the same file is refused by the database; a queue worker's marker whose heartbeat
 * went stale is recorded as interrupted by another machine, which removes the temp files through
 * its own mount — and a marker with a fresh heartbeat is left alone.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createRegistry, getRunDetail, insertInFlight, listInFlight, noteInFlightProgress, openDatabase, type OpenedDatabase, updateInFlight } from "../../core/mod.ts";
import { createEngine, type Engine, jobData, processFile, processQueueJob, runIdFor, takeOverFile } from "../../engine/mod.ts";
import { tempPrefixFor } from "../../engine/in_flight.ts";
import { readSource } from "../../engine/source.ts";
import { builtinPlugins } from "../../plugins/mod.ts";
import { tempDir } from "../cli/_cli.ts";
import { copyFixture, makeFixtures } from "../fixtures/media.ts";
import { forEachDialect } from "../dialects.ts";
import { ACCEPTANCE_POLICY, loaded, sha256 } from "./_setup.ts";

forEachDialect("markers across machines", (dialect) => {
  let database: OpenedDatabase;
  let engine: Engine;
  let lib: string;
  beforeAll(async () => {
    database = await openDatabase(await dialect.newLocation());
    lib = join(tempDir("vpo-takeover-"), "movies");
    const registry = createRegistry();
    for (const p of builtinPlugins()) registry.register(p);
    engine = createEngine({ db: database.db, registry, node: "node-here", libraries: { movies: lib }, spoolPath: join(lib, "..", "spool.ndjson") });
  });
  afterAll(() => database?.close());

  /** The marker another machine (mounting the library at /mnt/other/movies) wrote for `file`, and its temp file here. */
  async function foreignMarker(file: string, heartbeatAgoMs: number) {
    const runId = Bun.randomUUIDv7();
    const theirs = "/mnt/other/movies/multi.mkv";
    const source = await readSource(engine.probe, file);
    const before = { ...source.before, identity: { ...source.before.identity!, dev: 4242 } }; // their device number
    await insertInFlight(database.db, {
      runId, filePath: theirs, tempPrefix: tempPrefixFor(theirs, runId), policyName: "acceptance", jobId: null, host: "dead-machine", pid: 4242,
      sizeBefore: source.before.size, startedAt: new Date(Date.now() - 120_000).toISOString(), before, node: "node-dead",
      fileKey: "library:movies/multi.mkv", library: "movies", libraryPath: "multi.mkv", queueJob: { id: crypto.randomUUID(), attempt: 0 },
      heartbeatAt: new Date(Date.now() - heartbeatAgoMs).toISOString(),
    });
    const temp = `${tempPrefixFor(file, runId)}.p1.mkv`;
    writeFileSync(temp, "half an output");
    return { runId, temp };
  }

  test("a second run on a file in flight elsewhere is refused by the database; the file is left untouched", async () => {
    const file = await copyFixture(await makeFixtures(), "multi", lib);
    const original = await sha256(file);
    const { runId, temp } = await foreignMarker(file, 0);
    const { record } = await processFile(engine, { file, policy: loaded(ACCEPTANCE_POLICY()) });
    expect(record.status).toBe("failed");
    expect(record.error_message).toContain(`Another run is already processing this file (run ${runId} on node node-dead, host dead-machine, pid 4242`);
    expect(await sha256(file)).toBe(original);

    // Its owner's heartbeat is fresh: a worker must wait, and nothing of the other run is touched.
    const fresh = await takeOverFile(engine, "library:movies/multi.mkv", 10_000);
    expect(fresh.holder?.runId).toBe(runId);
    expect(fresh.recovery.recovered).toEqual([]);
    expect(existsSync(temp)).toBe(true);

    // Silent for longer than the lease: its machine is gone. Taken over through this machine's mount.
    await noteInFlightProgress(database.db, runId, null, new Date(Date.now() - 60_000).toISOString());
    const taken = await takeOverFile(engine, "library:movies/multi.mkv", 10_000);
    expect(taken.holder).toBeNull();
    expect(taken.recovery.recovered.map((r) => [r.record.id, r.record.status, r.record.file_path, r.removedTempFiles.length])).toEqual([[runId, "interrupted", file, 1]]);
    expect(existsSync(temp)).toBe(false);
    expect(await sha256(file)).toBe(original);
    expect(await listInFlight(database.db)).toEqual([]);
    const stored = await getRunDetail(database.db, runId);
    expect(stored).toMatchObject({ status: "interrupted", node: "node-dead", library: "movies", file_path: file });
    expect(stored.error_message).toContain("vpo (node node-dead, host dead-machine, pid 4242) stopped");
  });
});

describe("a worker killed right after replacing its file", () => {
  test("the next worker records the dead run as the completed run it was and does not process the file again", async () => {
    const registry = createRegistry();
    for (const p of builtinPlugins()) registry.register(p);
    const lib = join(tempDir("vpo-takeover-committed-"), "movies");
    const file = await copyFixture(await makeFixtures(), "multi", lib);
    const policy = { ...loaded(ACCEPTANCE_POLICY()), text: ACCEPTANCE_POLICY() };
    const job = { id: crypto.randomUUID(), attempt: 0 };

    // The dead worker: it replaced the file; its database never got the record (another database here), only the marker.
    const first = await openDatabase(join(lib, "..", "first.db"));
    const dying = createEngine({ db: first.db, registry, node: "node-dead", libraries: { movies: lib }, spoolPath: join(lib, "..", "first.spool") });
    let snapshot: Awaited<ReturnType<typeof listInFlight>>[number] | undefined;
    const done = await processFile(dying, { file, policy, queueJob: job, runId: runIdFor(job.id, 0), mayReplace: async () => {
      snapshot = (await listInFlight(first.db))[0];
      return true;
    } });
    await first.close();
    expect(done.changed).toBe(true);

    const shared = await openDatabase(join(lib, "..", "shared.db"));
    try {
      await insertInFlight(shared.db, { ...snapshot!, heartbeatAt: new Date(Date.now() - 60_000).toISOString() });
      await updateInFlight(shared.db, snapshot!.runId, { phase: "replace", pending: snapshot!.pending });
      const next = createEngine({ db: shared.db, registry, node: "node-next", libraries: { movies: lib }, spoolPath: join(lib, "..", "shared.spool") });
      const result = await processQueueJob(next, { id: job.id, retryCount: 1, data: jobData({ library: "movies", path: "multi.mkv" }, policy), signal: new AbortController().signal }, {
        stillOwned: async () => true, signal: new AbortController().signal, staleAfterMs: 10_000,
      });
      expect(result).toMatchObject({ outcome: "already_processed", run_id: runIdFor(job.id, 0) });
      const runs = await shared.db.selectFrom("processing_stats").select(["id", "status", "node", "policy_digest", "hash_after"]).execute();
      expect(runs).toEqual([{ id: runIdFor(job.id, 0), status: "success", node: "node-dead", policy_digest: policy.digest, hash_after: done.record.hash_after }]);
    } finally {
      await shared.close();
    }
  }, 60_000);
});
