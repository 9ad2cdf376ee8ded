import { beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ACCEPTANCE_POLICY } from "../engine/_setup.ts";
import { copyFixture, type Fixtures, makeFixtures } from "../fixtures/media.ts";
import { tempDir, vpo } from "./_cli.ts";

let fixtures: Fixtures;
beforeAll(async () => {
  fixtures = await makeFixtures();
});

const summary = async (dir: string) => JSON.parse((await vpo(["stats", "summary", "--format", "json"], { dataDir: dir })).stdout);

test("re-running a policy on unchanged files records nothing more and leaves the summary unchanged; --force and a changed policy run again", async () => {
  const dir = tempDir();
  const lib = join(dir, "lib");
  for (const name of ["multi", "clip", "hevc"] as const) await copyFixture(fixtures, name, lib);
  const policy = join(dir, "policy.yaml");
  writeFileSync(policy, ACCEPTANCE_POLICY());

  const first = await vpo(["process", lib, "--policy", policy], { dataDir: dir });
  expect(first.code).toBe(0);
  const after = await summary(dir);
  expect(after.total_files_processed).toBe(3);

  for (const attempt of [2, 3]) {
    const again = await vpo(["process", lib, "--policy", policy], { dataDir: dir });
    expect({ attempt, code: again.code }).toEqual({ attempt, code: 0 });
    expect(again.stdout.match(/already processed by this policy/g)).toHaveLength(3);
    expect(again.stdout).toContain("3 already processed");
    expect(await summary(dir)).toEqual(after);
  }
  const json = (await vpo(["process", lib, "--policy", policy, "--json"], { dataDir: dir })).stdout.trim().split("\n").map((l) => JSON.parse(l));
  expect(json.filter((e) => e.event === "file.finished").map((e) => e.status)).toEqual(["already_processed", "already_processed", "already_processed"]);
  expect(json.at(-1)).toMatchObject({ event: "job.finished", already_processed: 3, files: 3 });

  // Asked to: processed again and counted.
  expect((await vpo(["process", lib, "--policy", policy, "--force"], { dataDir: dir })).code).toBe(0);
  expect((await summary(dir)).total_files_processed).toBe(6);
  // A changed rule is another policy: the files are processed again.
  writeFileSync(policy, ACCEPTANCE_POLICY().replace("crf: 30", "crf: 31"));
  const changed = await vpo(["process", lib, "--policy", policy], { dataDir: dir });
  expect(changed.stdout).not.toContain("already processed");
  expect((await summary(dir)).total_files_processed).toBe(9);
}, 180_000);
