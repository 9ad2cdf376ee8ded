/**
 * vpo as a new user installs and extends it: the `vpo` bin put on PATH the way the README says,
 * and a plugin written exactly as the README shows, in a folder of its own with no node_modules.
 * Every run goes through the real launcher (bin/vpo) in a subprocess, with Bun's registry pointed
 * at a local server that records every request: nothing may be fetched.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { copyFixture, type Fixtures, makeFixtures } from "../fixtures/media.ts";
import { type CliResult, ROOT, tempDir } from "./_cli.ts";

const LAUNCHER = join(ROOT, "bin/vpo");

let fixtures: Fixtures;
const registryHits: string[] = [];
let registry: ReturnType<typeof Bun.serve>;
beforeAll(async () => {
  fixtures = await makeFixtures();
  registry = Bun.serve({
    port: 0,
    fetch(request) {
      registryHits.push(new URL(request.url).pathname);
      return new Response("{}", { status: 404 });
    },
  });
});
afterAll(() => registry.stop(true));

/** Runs `argv` with a data dir of its own, Bun's and npm's registry being the recording server. */
async function run(argv: string[], options: { cwd: string; dataDir?: string; env?: Record<string, string> }): Promise<CliResult> {
  const proc = Bun.spawn(argv, {
    cwd: options.cwd,
    env: {
      ...process.env,
      VPO_DATA_DIR: options.dataDir ?? options.cwd,
      VPO_CONFIG: "",
      VPO_PROFILE: "",
      NO_COLOR: "1",
      BUN_CONFIG_REGISTRY: registry.url.href,
      NPM_CONFIG_REGISTRY: registry.url.href,
      ...options.env,
    },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

/** The plugin example of the README's "Writing a plugin" section, verbatim. */
function readmePlugin(): { file: string; source: string } {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Writing a plugin"));
  const source = /```ts\n([\s\S]*?)```/.exec(section)![1]!;
  return { file: /^\/\/ (\S+\.ts)/.exec(source)![1]!, source };
}

describe("a plugin in a folder of its own", () => {
  test("written as the README shows and loaded with --plugin, it runs and its metrics are recorded", async () => {
    const { file, source } = readmePlugin();
    expect(source).toContain('from "vpo"');
    const folder = tempDir("vpo-plugin-author-");
    writeFileSync(join(folder, file), source);
    const media = tempDir("vpo-media-");
    const clip = await copyFixture(fixtures, "clip", media);
    const dataDir = tempDir();

    const processed = await run(
      [LAUNCHER, "--plugin", join(folder, file), "run", clip, "--policy-name", "copy", "--json", "--", "ffmpeg", "-i", "{input}", "-c", "copy", "{output}"],
      { cwd: media, dataDir },
    );
    expect(processed.stderr).toBe("");
    expect(processed.code).toBe(0);
    expect(JSON.parse(processed.stdout).plugin_metrics["subtitle-size"]).toEqual({ subtitle_streams_before: 0, subtitle_streams_after: 0 });

    const metrics = await run([LAUNCHER, "stats", "metrics", "--plugin", "subtitle-size", "--format", "json"], { cwd: media, dataDir });
    expect(metrics.code).toBe(0);
    expect(JSON.parse(metrics.stdout).map((m: { key: string; count: number }) => `${m.key}:${m.count}`)).toEqual([
      "subtitle_streams_after:1",
      "subtitle_streams_before:1",
    ]);
    expect(registryHits).toEqual([]);
  });

  test('gets the vpo that loads it, even beside an unrelated npm package called "vpo"', async () => {
    const folder = tempDir("vpo-plugin-author-");
    mkdirSync(join(folder, "node_modules/vpo"), { recursive: true });
    writeFileSync(join(folder, "node_modules/vpo/package.json"), JSON.stringify({ name: "vpo", version: "2.0.0", main: "index.js" }));
    writeFileSync(join(folder, "node_modules/vpo/index.js"), "module.exports = { get: (o, p) => o[p] };\n");
    writeFileSync(
      join(folder, "words.ts"),
      'import * as v from "valibot";\nimport { definePlugin } from "vpo";\nexport default definePlugin({ name: "words", version: "1.0.0", metrics: v.object({ n: v.number() }), afterRun: () => ({ n: 1 }) });\n',
    );
    const listed = await run([LAUNCHER, "plugins", "list", "--json", "--plugin", "./words.ts"], { cwd: folder, dataDir: tempDir() });
    expect(listed.stderr).toBe("");
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).map((p: { name: string }) => p.name)).toContain("words");
  });

  test("nothing a plugin lacks is fetched from the registry, with or without the launcher", async () => {
    const folder = tempDir("vpo-plugin-author-");
    writeFileSync(join(folder, "needs.ts"), 'import pad from "left-pad-for-vpo-tests";\nexport default pad;\n');
    const bare = [process.execPath, join(ROOT, "cli/main.ts")]; // as `bun cli/main.ts` would: no --no-install
    for (const vpo of [[LAUNCHER], bare]) {
      // config validate reports every plugin that cannot load, so one process checks both ways to miss.
      const checked = await run([...vpo, "config", "validate", "--plugin", "./needs.ts", "--plugin", "vpo-words-for-tests"], { cwd: folder, dataDir: tempDir() });
      expect(checked.stdout).toContain(`Cannot load plugin "./needs.ts": Cannot find package 'left-pad-for-vpo-tests'`);
      expect(checked.stdout).toContain(`Cannot load plugin "vpo-words-for-tests": package not found from ${folder}`);
      expect(checked.code).toBe(2);
    }
    expect(registryHits).toEqual([]);
  });
});

describe("the vpo command", () => {
  test("npm link puts it on PATH, and it answers from any directory without Bun on PATH", async () => {
    const prefix = tempDir("vpo-npm-prefix-");
    const linked = await run(["npm", "link", "--offline", "--no-audit", "--no-fund"], { cwd: ROOT, env: { NPM_CONFIG_PREFIX: prefix } });
    expect(linked.code).toBe(0);
    const elsewhere = tempDir();
    const version = await run(["/bin/sh", "-c", "vpo --version"], { cwd: elsewhere, env: { PATH: `${join(prefix, "bin")}:/usr/bin:/bin` } });
    expect(version).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });
});
