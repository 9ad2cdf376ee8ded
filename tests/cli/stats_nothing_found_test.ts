import { beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir, vpo } from "./_cli.ts";

/**
 * A view that finds no run says which filter found nothing: the scope no run has (with the
 * nearest that does), the window, or scopes that each have runs but never together.
 */
let dataDir: string;
beforeAll(async () => {
  dataDir = tempDir();
  const run = (policy_name: string, node: string, library: string) =>
    JSON.stringify({ file_path: `/lib/${policy_name}-${node}.mkv`, processed_at: "2026-03-01T12:00:00Z", policy_name, node, library, success: true });
  writeFileSync(join(dataDir, "runs.ndjson"), `${run("strip", "alpha", "movies")}\n${run("remux", "beta", "shows")}\n`);
  expect((await vpo(["stats", "import", "runs.ndjson"], { dataDir })).code).toBe(0);
});

const refusal = async (...args: string[]) => {
  const r = await vpo(["stats", ...args], { dataDir });
  expect(r.code).toBe(65);
  return r.stderr;
};

test("a library or node no run has is named, with those that have runs", async () => {
  expect(await refusal("summary", "--library", "movie")).toBe('vpo: No statistics found for library "movie" (did you mean "movies"?). Libraries with recorded runs: movies, shows.\n');
  expect(await refusal("recent", "--node", "gamma")).toBe('vpo: No statistics found for node "gamma". Nodes with recorded runs: alpha, beta.\n');
  expect(await refusal("policy", "strip", "--node", "gamma")).toBe('vpo: No statistics found for node "gamma". Nodes with recorded runs: alpha, beta.\n');
  expect(await refusal("libraries", "--library", "music")).toBe('vpo: No statistics found for library "music". Libraries with recorded runs: movies, shows.\n');
});

test("scopes that each have runs but not together, and an empty window, are told apart", async () => {
  expect(await refusal("summary", "--policy", "strip", "--node", "beta")).toBe(
    'vpo: No statistics found for policy "strip", node "beta" together. Each has runs, but none has them all: drop one of the filters.\n',
  );
  expect(await refusal("trends", "--node", "alpha", "--since", "2026-04-01")).toBe(
    'vpo: No statistics found for node "alpha" in this range. Widen the filters (--since, --until).\n',
  );
  expect(await refusal("policies", "--since", "2026-04-01")).toBe("vpo: No statistics found in this range. Widen the filters (--since, --until).\n");
});
