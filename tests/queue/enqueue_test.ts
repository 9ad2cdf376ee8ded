/** `vpo enqueue` and `vpo queue` from the command line, on a real PostgreSQL queue. */
import { describe, expect, test } from "bun:test";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir, vpo } from "../cli/_cli.ts";
import { ACCEPTANCE_POLICY } from "../engine/_setup.ts";
import { copyFixture, makeFixtures } from "../fixtures/media.ts";
import { pgCluster, pgUnavailable } from "../pg_cluster.ts";
import { machine, on, startWorker, waitUntil } from "./_machines.ts";

async function library(count: number) {
  const root = tempDir("vpo-enqueue-");
  const lib = join(root, "lib");
  const fixtures = await makeFixtures();
  mkdirSync(lib, { recursive: true });
  for (let i = 0; i < count; i++) renameSync(await copyFixture(fixtures, "multi", join(root, "tmp")), join(lib, `f${i}.mkv`));
  const policy = join(root, "acceptance.yaml");
  writeFileSync(policy, ACCEPTANCE_POLICY());
  return { root, lib, policy };
}

describe("vpo enqueue refuses what cannot be queued (exit 2)", () => {
  test("on SQLite it says the queue needs PostgreSQL, and nothing is created", async () => {
    const { lib, policy, root } = await library(1);
    const dataDir = tempDir();
    for (const args of [["enqueue", lib, "--policy", policy], ["worker"], ["queue"], ["queue", "retry", "--all-failed"]]) {
      const r = await vpo(args, { dataDir, cwd: root });
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toContain("needs a PostgreSQL database");
      expect(r.stderr).not.toContain("    at ");
    }
  });
});

describe.skipIf(pgUnavailable() !== null && process.env.CI !== "true")("vpo enqueue on PostgreSQL", () => {
  test("a file outside every library is refused, naming the roots; nothing is queued", async () => {
    const { lib, policy, root } = await library(2);
    const m = machine("node-a", { url: await pgCluster().createDatabase(), library: join(root, "elsewhere") });
    const r = await on(m, ["enqueue", lib, "--policy", policy]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`"${join(lib, "f0.mkv")}" and 1 more file(s) are outside every library ([libraries]: movies = "${join(root, "elsewhere")}")`);
    expect(JSON.parse((await on(m, ["queue", "--json"])).stdout).counts.created).toBe(0);
  });

  test("enqueueing twice queues nothing new; once processed, the files count as already processed", async () => {
    const { lib, policy } = await library(3);
    const m = machine("node-a", { url: await pgCluster().createDatabase(), library: lib });
    const first = await on(m, ["enqueue", lib, "--policy", policy]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('3 media file(s) for policy "acceptance": 3 queued, 0 already queued or running, 0 already processed');
    expect(JSON.parse((await on(m, ["enqueue", lib, "--policy", policy, "--json"])).stdout)).toEqual({ policy: "acceptance", files: 3, queued: 0, already_queued: 3, already_processed: 0 });
    const queued = JSON.parse((await on(m, ["queue", "--json"])).stdout);
    expect(queued.counts).toMatchObject({ created: 3, active: 0, failed: 0 });

    const worker = await startWorker(m);
    await waitUntil(() => worker.events.filter((e) => e.event === "job.finished").length === 3, "the three jobs", 120_000);
    expect(await worker.stop()).toBe(0);
    expect(worker.events.at(-1)).toMatchObject({ event: "worker.stopped", processed: 3, failed: 0 });
    expect(JSON.parse((await on(m, ["enqueue", lib, "--policy", policy, "--json"])).stdout)).toEqual({ policy: "acceptance", files: 3, queued: 0, already_queued: 0, already_processed: 3 });
    const status = await on(m, ["queue"]);
    expect(status.stdout).toContain("completed  3");
    expect(status.stdout).toContain("Nothing in progress.");
  }, 180_000);

  test("a failed job is listed with its error, and retry sends it back; cancel removes a waiting one", async () => {
    const { lib, policy, root } = await library(1);
    const url = await pgCluster().createDatabase();
    const m = machine("node-a", { url, library: lib, queue: { retry_limit: 0 } });
    // A machine whose [libraries] has no "movies": its worker cannot find the file.
    const other = machine("node-b", { url, library: lib });
    writeFileSync(join(other.dataDir, "config.toml"), `[database]\nurl = "${url}"\n[node]\nname = "node-b"\n[libraries]\ntv = "${root}"\n[queue]\nheartbeat_seconds = 10\ncheck_interval_seconds = 1\n`);
    expect((await on(m, ["enqueue", lib, "--policy", policy])).code).toBe(0);
    const worker = await startWorker(other);
    const failed = await worker.waitFor((e) => e.event === "job.failed", "the job to fail", 60_000);
    expect(failed.error).toContain('node node-b has no library "movies" in its [libraries] (it has tv)');
    expect(await worker.stop()).toBe(0);
    const status = JSON.parse((await on(m, ["queue", "--json"])).stdout);
    expect(status.failed).toEqual([expect.objectContaining({ id: failed.job_id, library: "movies", path: "f0.mkv", policy_name: "acceptance", attempts: 1 })]);
    expect(status.failed[0].error).toContain("has no library");
    expect((await on(m, ["queue", "retry", failed.job_id.slice(0, 8)])).stdout).toContain("Sent 1 job(s) back to the queue");
    expect(JSON.parse((await on(m, ["queue", "--json"])).stdout).counts).toMatchObject({ failed: 0, retry: 1 });
    expect((await on(m, ["queue", "cancel", failed.job_id])).code).toBe(0);
    expect(JSON.parse((await on(m, ["queue", "--json"])).stdout).counts).toMatchObject({ retry: 0, cancelled: 1 });
    const again = await on(m, ["queue", "cancel", failed.job_id]);
    expect({ code: again.code, stderr: again.stderr.trim() }).toEqual({ code: 2, stderr: `vpo: Job ${failed.job_id} is cancelled already` });
  }, 120_000);
});
