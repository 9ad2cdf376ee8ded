import { expect, test } from "bun:test";
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { resolveTools } from "../../engine/tools.ts";
import { makeFixtures } from "../fixtures/media.ts";
import { tempDir, vpo } from "./_cli.ts";

/** An ffprobe that logs each call (but `-version`) and runs the real one. */
function countingFfprobe(dir: string): { env: Record<string, string>; calls(): string[] } {
  const log = join(dir, "ffprobe.log");
  const path = join(dir, "ffprobe");
  writeFileSync(path, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${resolveTools({}).ffprobe}' "$@"\n`);
  chmodSync(path, 0o755);
  const calls = () => {
    try {
      return readFileSync(log, "utf8").split("\n").filter((l) => l !== "" && !l.includes("-version"));
    } catch {
      return [];
    }
  };
  return { env: { VPO_TOOLS_FFPROBE: path }, calls };
}

test("each state of a file is probed once: vpo run probes the source and its replacement, vpo process at most twice a file", async () => {
  const fixtures = await makeFixtures();
  const dir = tempDir();
  const ffprobe = countingFfprobe(dir);
  const file = join(dir, "clip.mp4");
  copyFileSync(fixtures.clip, file);
  const run = await vpo(["run", file, "--policy-name", "copy", "--", "cp", "{input}", "{output}"], { dataDir: dir, env: ffprobe.env });
  expect(run.code).toBe(0);
  // The source (read once for the plan, the marker and the plugins' before), the replacement (plugins' after and the files row).
  expect(ffprobe.calls().length).toBe(2);

  const lib = join(dir, "lib");
  mkdirSync(lib);
  for (const name of ["multi", "clip", "silent"] as const) copyFileSync(fixtures[name], join(lib, fixtures[name].split("/").at(-1)!));
  const before = ffprobe.calls().length;
  const processed = await vpo(["process", lib, "--policy", join(import.meta.dir, "../../cli/templates/policies/strip-to-english.yaml")], { dataDir: dir, env: ffprobe.env });
  expect(processed.code).toBe(0);
  expect(ffprobe.calls().length - before).toBeLessThanOrEqual(2 * 3);

  // Again over the same library: every file was processed by this policy, so none is probed,
  // not even ahead of its turn (the batch reads the next file ahead only when it will run).
  const done = ffprobe.calls().length;
  const again = await vpo(["process", lib, "--policy", join(import.meta.dir, "../../cli/templates/policies/strip-to-english.yaml")], { dataDir: dir, env: ffprobe.env });
  expect(again.code).toBe(0);
  expect(again.stdout).toContain("3 already processed");
  expect(ffprobe.calls().length - done).toBe(0);
}, 120_000);
