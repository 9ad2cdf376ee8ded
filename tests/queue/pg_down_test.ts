/**
 * PostgreSQL goes away while two workers are transcoding (a cluster of this test's own, stopped
 * and started again). The workers keep running and wait; nothing is replaced while the database
 * cannot hold the run; once it is back, the lapsed jobs are retried and every file ends with
 * exactly one successful run whose "after" hash is the file as it is.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { partialHash } from "../../core/mod.ts";
import { tempDir } from "../cli/_cli.ts";
import { ACCEPTANCE_POLICY, sha256 } from "../engine/_setup.ts";
import { pgUnavailable, startPgCluster } from "../pg_cluster.ts";
import { longClip, machine, on, openShared, startWorker, waitUntil, type WorkerProcess } from "./_machines.ts";

const workers: WorkerProcess[] = [];
afterAll(async () => {
  for (const w of workers) if (w.proc.exitCode === null) await w.stop("SIGKILL");
});

describe.skipIf(pgUnavailable() !== null && process.env.CI !== "true")("vpo worker while PostgreSQL is down", () => {
  test("workers wait and retry; no file is replaced without its run stored; every file ends with one successful run", async () => {
    const cluster = startPgCluster();
    const url = await cluster.createDatabase();
    const root = tempDir("vpo-queue-pgdown-");
    const lib = join(root, "lib");
    const files = await Promise.all(Array.from({ length: 6 }, (_, i) => longClip(lib, `clip${i}.mkv`, 12)));
    const originals = new Map(await Promise.all(files.map(async (f) => [f, await sha256(f)] as const)));
    const policy = join(root, "acceptance.yaml");
    writeFileSync(policy, ACCEPTANCE_POLICY());
    const [a, b] = ["node-a", "node-b"].map((name) => machine(name, { url, library: lib }));
    expect(JSON.parse((await on(a!, ["enqueue", lib, "--policy", policy, "--json"])).stdout)).toMatchObject({ queued: 6 });
    workers.push(await startWorker(a!), await startWorker(b!));

    let shared = await openShared(url);
    await waitUntil(() => shared.db.selectFrom("runs_in_flight").selectAll().where("phase", "=", "compress").where("child_pid", "is not", null).executeTakeFirst(), "a transcode to start", 90_000, 100);
    await shared.close();
    cluster.stop();
    const atStop = new Map(await Promise.all(files.map(async (f) => [f, await sha256(f)] as const)));
    // 12 s without the database: longer than a lease (10 s) and than the transcodes under way.
    const until = Date.now() + 12_000;
    while (Date.now() < until) {
      for (const f of files) expect({ file: f, sha: await sha256(f) }).toEqual({ file: f, sha: atStop.get(f)! });
      for (const w of workers) {
        if (w.proc.exitCode !== null) console.error(`worker ${w.machine.name} exited ${w.proc.exitCode}:\n${w.output().slice(-3000)}`);
        expect({ node: w.machine.name, exit: w.proc.exitCode }).toEqual({ node: w.machine.name, exit: null });
      }
      await Bun.sleep(500);
    }
    cluster.start();

    shared = await openShared(url);
    try {
      await waitUntil(async () => {
        const q = JSON.parse((await on(a!, ["queue", "--json"])).stdout);
        return q.counts.created + q.counts.retry + q.counts.active === 0 && q.in_progress.length === 0 && q.counts.completed === 6 && q;
      }, "every job to complete after the database came back", 240_000, 1000);
      for (const f of files) {
        const runs = await shared.db.selectFrom("processing_stats").select(["status", "hash_after"]).where("file_path", "=", f).where("success", "=", 1).execute();
        expect({ file: f, successes: runs.length }).toEqual({ file: f, successes: 1 });
        expect(runs[0]!.hash_after).toBe(await partialHash(f));
        expect(await sha256(f)).not.toBe(originals.get(f));
      }
      for (const w of workers) expect(await w.stop("SIGTERM")).toBe(0);
    } finally {
      await shared.close();
      cluster.stop();
    }
  }, 900_000);
});
