import { beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ACCEPTANCE_POLICY } from "../engine/_setup.ts";
import { copyFixture, type Fixtures, makeFixtures } from "../fixtures/media.ts";
import { cliEnv, tempDir, VPO, vpo } from "./_cli.ts";
import { seedNdjson } from "./_stats_seed.ts";

/** Runs a bash pipeline with the CLI's test environment; `exit N` of vpo is echoed to stderr by the caller. */
async function shell(command: string, dataDir: string): Promise<{ stdout: string; stderr: string }> {
  const proc = Bun.spawn(["bash", "-c", command], { cwd: dataDir, env: cliEnv(dataDir), stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr };
}

const RUNS = 1000;
let dir: string;
let fixtures: Fixtures;
beforeAll(async () => {
  dir = tempDir();
  const runs = Array.from({ length: RUNS }, (_, i) => ({
    processed_at: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    policy_name: "bulk",
    file_path: `/library/shows/season ${i % 10}/episode ${i}.mkv`,
    success: true,
    size_before: 2_000_000 + i,
    size_after: 1_000_000 + i,
  }));
  writeFileSync(join(dir, "bulk.ndjson"), seedNdjson(runs));
  const imported = await vpo(["stats", "import", "bulk.ndjson"], { dataDir: dir });
  if (imported.code !== 0) throw new Error(`seeding failed: ${imported.stderr}`);
  fixtures = await makeFixtures();
});

describe("every command writes all its output before it exits", () => {
  test("a reader that starts late still gets all of a JSON document far larger than a pipe buffer", async () => {
    const { stdout, stderr } = await shell(`${VPO} stats recent --limit ${RUNS} --format json | (sleep 1; cat); echo "exit \${PIPESTATUS[0]}" >&2`, dir);
    expect(stderr).toBe("exit 0\n");
    expect(stdout.length).toBeGreaterThan(4 * 65536);
    const runs = JSON.parse(stdout) as { file_path: string }[];
    expect(runs.length).toBe(RUNS);
    expect(runs.at(-1)!.file_path).toBe("/library/shows/season 0/episode 0.mkv");
  }, 30000);
});

describe("a reader that leaves early ends vpo quietly", () => {
  test("stats recent | head -1: exit 0, nothing on stderr", async () => {
    const { stdout, stderr } = await shell(`${VPO} stats recent --limit ${RUNS} --format json | head -1; echo "exit \${PIPESTATUS[0]}" >&2`, dir);
    expect(stdout).toBe("[\n");
    expect(stderr).toBe("exit 0\n");
  }, 30000);

  test("run | true, a reader gone before the record is printed (vpo run writes through Bun.write, not Node's streams): exit 0, nothing on stderr, the run recorded", async () => {
    const file = await copyFixture(fixtures, "clip", join(dir, "run-pipe"));
    const { stdout, stderr } = await shell(`${VPO} run "${file}" --policy-name piped -- cp {input} {output} | true; echo "exit \${PIPESTATUS[0]}" >&2`, dir);
    expect(stdout).toBe("");
    expect(stderr).toBe("exit 0\n");
    const recent = await vpo(["stats", "recent", "--policy", "piped", "--format", "json"], { dataDir: dir });
    expect((JSON.parse(recent.stdout) as { status: string }[]).map((r) => r.status)).toEqual(["success"]);
  }, 30000);

  test("process --dry-run | head -1: exit 0, no stack trace", async () => {
    const lib = join(dir, "lib");
    for (const sub of ["a", "b", "c", "d"]) await copyFixture(fixtures, "multi", join(lib, sub));
    writeFileSync(join(dir, "policy.yaml"), ACCEPTANCE_POLICY());
    const { stdout, stderr } = await shell(`${VPO} process lib --policy policy.yaml --dry-run | head -1; echo "exit \${PIPESTATUS[0]}" >&2`, dir);
    expect(stdout).toStartWith(join(lib, "a", "multi.mkv"));
    expect(stderr).toBe("exit 0\n");
  }, 30000);
});
