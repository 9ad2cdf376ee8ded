/**
 * Three `vpo worker` processes (three machines: own data dirs, own [node] names) share a 12-file
 * library on one PostgreSQL queue. The worker transcoding the long file is SIGKILLed mid-ffmpeg.
 * Its lease lapses, another worker takes the file over (recording the killed run as interrupted,
 * removing its temp files) and processes it. Every file ends with exactly one successful run, the
 * killed file's original is never replaced before its run is durable, and the per-node totals add
 * up to the summary.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { readdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runIdFor } from "../../engine/mod.ts";
import { tempDir } from "../cli/_cli.ts";
import { ACCEPTANCE_POLICY, sha256 } from "../engine/_setup.ts";
import { copyFixture, makeFixtures } from "../fixtures/media.ts";
import { pgCluster, pgUnavailable } from "../pg_cluster.ts";
import { longClip, machine, on, openShared, startWorker, waitUntil, type WorkerProcess } from "./_machines.ts";

const workers: WorkerProcess[] = [];
afterAll(async () => {
  for (const w of workers) if (w.proc.exitCode === null) await w.stop("SIGKILL");
});

describe.skipIf(pgUnavailable() !== null && process.env.CI !== "true")("vpo worker on three machines, one SIGKILLed mid-transcode", () => {
  test("every file is processed once with one successful run; the killed file's original stays until another worker finishes it; node totals add up", async () => {
    const url = await pgCluster().createDatabase();
    const root = tempDir("vpo-queue-kill-");
    const lib = join(root, "lib");
    const fixtures = await makeFixtures();
    const victim = await longClip(lib, "a-long.mkv", 40);
    for (let i = 0; i < 11; i++) renameSync(await copyFixture(fixtures, "multi", join(root, "tmp")), join(lib, `f${String(i).padStart(2, "0")}.mkv`));
    const policy = join(root, "acceptance.yaml");
    writeFileSync(policy, ACCEPTANCE_POLICY());
    const original = await sha256(victim);
    const [a, b, c] = ["node-a", "node-b", "node-c"].map((name) => machine(name, { url, library: lib }));

    // The long file first (a higher priority), so that it is the one being transcoded when its worker dies.
    expect((await on(a!, ["enqueue", victim, "--policy", policy, "--priority", "10", "--json"])).stdout).toContain('"queued":1');
    const all = await on(a!, ["enqueue", lib, "--policy", policy, "--json"]);
    expect(JSON.parse(all.stdout)).toMatchObject({ files: 12, queued: 11, already_queued: 1, already_processed: 0 });

    workers.push(...(await Promise.all([a!, b!, c!].map((m) => startWorker(m)))));
    const { db, close } = await openShared(url);
    try {
      const inFlight = await waitUntil(
        () => db.selectFrom("runs_in_flight").selectAll().where("library_path", "=", "a-long.mkv").where("phase", "=", "compress").where("child_pid", "is not", null).executeTakeFirst(),
        "the long file to be mid-transcode", 90_000, 100,
      );
      const killed = workers.find((w) => w.machine.name === inFlight.node)!;
      await killed.stop("SIGKILL");

      // Until another worker has recorded its success, the original is either untouched or being
      // replaced by a run already durable in its marker (the commit point).
      const succeeded = () => db.selectFrom("processing_stats").selectAll().where("file_path", "=", victim).where("success", "=", 1).executeTakeFirst();
      const done = await waitUntil(async () => {
        const success = await succeeded();
        if (success) return success;
        if ((await sha256(victim)) === original) return null;
        // Replaced: its marker holds the pending run, or (the marker goes only once the run is stored) the run is stored.
        const marker = await db.selectFrom("runs_in_flight").select("pending_run").where("library_path", "=", "a-long.mkv").executeTakeFirst();
        const stored = await succeeded();
        expect({ pending: marker?.pending_run != null, stored: stored !== undefined }).not.toEqual({ pending: false, stored: false });
        return stored ?? null;
      }, "another worker to finish the killed file", 300_000, 250);
      expect(done.node).not.toBe(killed.machine.name);
      const taker = workers.find((w) => w.machine.name === done.node)!;
      expect(taker.events.find((e) => e.event === "run.taken_over")).toMatchObject({ node: killed.machine.name, status: "interrupted", file: victim });
      const job = killed.events.find((e) => e.event === "job.started" && e.file === victim)!;
      expect(done.id).not.toBe(job.run_id);
      expect(done.job_id).toBe(job.job_id);
      expect([1, 2].map((attempt) => runIdFor(job.job_id, attempt))).toContain(done.id);

      await waitUntil(async () => {
        const q = JSON.parse((await on(a!, ["queue", "--json"])).stdout);
        return q.counts.created + q.counts.retry + q.counts.active === 0 && q.in_progress.length === 0 && q;
      }, "the queue to drain", 300_000, 1000);

      const successes = await db.selectFrom("processing_stats").select(["file_path", (eb) => eb.fn.countAll<number>().as("n")]).where("success", "=", 1).groupBy("file_path").execute();
      expect(successes.length).toBe(12);
      expect(successes.every((r) => Number(r.n) === 1)).toBe(true);
      const victimRuns = await db.selectFrom("processing_stats").select(["status", "node", "id"]).where("file_path", "=", victim).orderBy("processed_at").execute();
      expect(victimRuns).toEqual([
        { status: "interrupted", node: killed.machine.name, id: job.run_id },
        { status: "success", node: done.node, id: done.id },
      ]);
      expect(await db.selectFrom("runs_in_flight").selectAll().execute()).toEqual([]);
      expect(readdirSync(lib).filter((f) => f.includes(".vpo-"))).toEqual([]);
      expect(JSON.parse((await on(a!, ["queue", "--json"])).stdout).counts).toMatchObject({ created: 0, retry: 0, active: 0, failed: 0, completed: 12 });

      const nodes = JSON.parse((await on(a!, ["stats", "nodes", "--format", "json"])).stdout) as { name: string; files_processed: number; successes: number }[];
      const summary = JSON.parse((await on(a!, ["stats", "summary", "--format", "json"])).stdout);
      expect(nodes.map((n) => n.name).sort()).toEqual(["node-a", "node-b", "node-c"].filter((n) => nodes.some((x) => x.name === n)).sort());
      expect(nodes.reduce((s, n) => s + n.files_processed, 0)).toBe(summary.total_files_processed);
      expect(nodes.reduce((s, n) => s + n.successes, 0)).toBe(summary.total_successful);
      expect(summary.total_successful).toBe(12);
      expect(summary.total_files_processed).toBe(13);

      for (const w of workers.filter((x) => x !== killed)) expect(await w.stop("SIGTERM")).toBe(0);
    } finally {
      await close();
    }
  }, 900_000);
});
