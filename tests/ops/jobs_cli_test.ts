import { beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "../../core/mod.ts";
import type { JobsTable } from "../../core/db/schema.ts";
import { recordRun } from "../../core/repository/record.ts";
import { tempDir, vpo } from "../cli/_cli.ts";

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
const job = (id: string, type: JobsTable["type"], status: JobsTable["status"], created_at: string, extra: Partial<JobsTable> = {}): JobsTable => ({
  id, type, status, created_at, started_at: created_at, completed_at: null, policy_name: null, summary: null,
  files_total: null, files_affected: null, error: null, host: null, pid: null, node: null, ...extra,
});
const SCAN = "0195aaaa-1111-7000-8000-000000000001";
const PROCESS = "0195aaaa-2222-7000-8000-000000000002";
const OLD = "0195bbbb-0000-7000-8000-000000000003";

let dir: string;
beforeAll(async () => {
  dir = tempDir();
  const { db, close } = await openDatabase(join(dir, "library.db"));
  await db.insertInto("jobs").values([
    job(SCAN, "scan", "completed", hoursAgo(2), { files_total: 40, files_affected: 3, completed_at: hoursAgo(1.5) }),
    job(PROCESS, "process", "failed", hoursAgo(1), {
      policy_name: "strip-to-english", files_total: 2, completed_at: hoursAgo(0.5), error: "ffmpeg exited with code 1", summary: '{"planned":2,"done":1}',
    }),
    job(OLD, "run", "completed", hoursAgo(24 * 100), { completed_at: hoursAgo(24 * 100 - 0.01) }),
  ]).execute();
  await recordRun(db, { id: "0195cccc-0000-4000-8000-000000000001", job_id: OLD, processed_at: hoursAgo(2400), policy_name: "x", file_path: "/m/a.mkv", success: true, size_before: 10, size_after: 5 });
  await close();
});

describe("vpo jobs", () => {
  test("list: a table newest first with short ids, policy, files and duration", async () => {
    const { code, stdout, stderr } = await vpo(["jobs", "list"], { dataDir: dir });
    expect([code, stderr]).toEqual([0, ""]);
    const lines = stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^ID\s+Type\s+Status\s+Policy\s+Files\s+Started \(UTC\)\s+Duration$/);
    expect(lines[1]).toMatch(/^0195aaaa-2\s+process\s+failed\s+strip-to-english\s+2\s+\S+ \S+\s+30m 0s$/);
    expect(lines[2]).toMatch(/^0195aaaa-1\s+scan\s+completed\s+—\s+3\/40\s+\S+ \S+\s+30m 0s$/);
    expect(lines[3]).toMatch(/^0195bbbb\s+run\s+completed/);
  });

  test("list --json with filters: status, type, relative since, limit", async () => {
    const ids = async (...args: string[]) => JSON.parse((await vpo(["jobs", "list", "--json", ...args], { dataDir: dir })).stdout).map((j: { id: string }) => j.id);
    expect(await ids("--status", "completed")).toEqual([SCAN, OLD]);
    expect(await ids("--type", "scan")).toEqual([SCAN]);
    expect(await ids("--type", "all", "--since", "1d")).toEqual([PROCESS, SCAN]);
    expect(await ids("--limit", "1")).toEqual([PROCESS]);
  });

  test("list: a bad flag value names the flag (exit 2)", async () => {
    const { code, stderr } = await vpo(["jobs", "list", "--type", "encode"], { dataDir: dir });
    expect([code, stderr]).toEqual([2, `vpo: Invalid --type "encode": expected one of scan, process, run, import, all\n`]);
  });

  test("show by unique prefix: status, error, summary and the runs it recorded", async () => {
    const { code, stdout } = await vpo(["jobs", "show", "0195aaaa-2"], { dataDir: dir });
    expect(code).toBe(0);
    expect(stdout).toContain(`Job ${PROCESS}`);
    expect(stdout).toMatch(/Error\s+ffmpeg exited with code 1/);
    expect(stdout).toMatch(/Summary\n\s+planned\s+2\n\s+done\s+1/);
    const old = JSON.parse((await vpo(["jobs", "show", "0195bbbb", "--json"], { dataDir: dir })).stdout);
    expect(old.runs).toEqual({ count: 1, successes: 1, failures: 0, size_saved: 5 });
  });

  test("show: ambiguous prefix lists candidates (2), unknown (64), too short (2)", async () => {
    const ambiguous = await vpo(["jobs", "show", "0195aaaa"], { dataDir: dir });
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain(`${SCAN}  scan  completed`);
    expect(ambiguous.stderr).toContain(`${PROCESS}  process  failed`);
    const unknown = await vpo(["jobs", "show", "ffff0000"], { dataDir: dir });
    expect([unknown.code, unknown.stderr]).toEqual([64, `vpo: No job with id "ffff0000"\n`]);
    expect((await vpo(["jobs", "show", "019"], { dataDir: dir })).code).toBe(2);
  });

  test("purge --dry-run counts, purge deletes; the purged job's runs stay", async () => {
    const dry = await vpo(["jobs", "purge", "--before", "90d", "--dry-run"], { dataDir: dir });
    expect([dry.code, dry.stdout]).toEqual([0, expect.stringMatching(/^Would delete 1 finished job created before \S+; their runs are kept\.\n$/)]);
    expect(dry.stderr).toBe(""); // info logs stay out of normal output
    const real = await vpo(["jobs", "purge", "--before", "90d", "--json", "--log-level", "info", "--log-json", "--log-file", "logs/vpo.log"], { dataDir: dir });
    expect(JSON.parse(real.stdout)).toMatchObject({ dry_run: false, jobs: 1 });
    const logged = JSON.parse(real.stderr);
    expect(logged).toMatchObject({ level: "INFO", logger: "vpo.jobs", message: expect.stringContaining("Purged 1 jobs"), context: { jobs: 1 } });
    expect(JSON.parse(readFileSync(join(dir, "logs/vpo.log"), "utf8"))).toEqual(logged);
    expect((await vpo(["jobs", "show", OLD], { dataDir: dir })).code).toBe(64);
    const summary = JSON.parse((await vpo(["stats", "summary", "--format", "json"], { dataDir: dir })).stdout);
    expect(summary.total_files_processed).toBe(1);
  });
});
