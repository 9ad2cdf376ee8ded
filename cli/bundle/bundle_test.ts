import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { copyFixture, makeFixtures } from "../../tests/fixtures/media.ts";
import { buildBundle, buildBundleLocked } from "./build.ts";
import { type BundleManifest, failedPath, freshEntry, manifestPath, MANIFEST_VERSION, readManifest, staleReason } from "./manifest.ts";

const ROOT = resolve(import.meta.dir, "../..");
const LAUNCH = join(ROOT, "cli/launch.ts");
const temp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/** `bun cli/launch.ts …` with the bundle kept in `cache`: what bin/vpo runs. */
async function launch(args: string[], cache: string, dataDir: string, cwd = dataDir) {
  const proc = Bun.spawn([process.execPath, LAUNCH, ...args], {
    cwd,
    env: { ...process.env, VPO_CLI_CACHE: cache, VPO_DATA_DIR: dataDir, VPO_CONFIG: "", VPO_PROFILE: "", NO_COLOR: "1", VPO_BUNDLE: "" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, code };
}

describe("the bundle's manifest", () => {
  const root = temp("vpo-manifest-root-");
  const cache = temp("vpo-manifest-cache-");
  mkdirSync(join(root, "src"));
  writeFileSync(join(root, "src/a.ts"), "export const a = 1;\n");
  const manifest = (): BundleManifest => {
    const s = statSync(join(root, "src/a.ts"));
    return { version: MANIFEST_VERSION, root, bun: Bun.version, dir: "build-1", inputs: [["src/a.ts", s.ino, s.size, s.mtimeMs]] };
  };
  const publish = (m: BundleManifest) => writeFileSync(manifestPath(cache), JSON.stringify(m));
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  });

  test("names the entry while every input is as it was built", () => {
    publish(manifest());
    expect(freshEntry(cache, root)).toBe(join(cache, "build-1", "main.js"));
  });

  test("does not apply once an input is replaced by a file of the same size and time (git, tar, npm write new files)", () => {
    publish(manifest());
    const { mtime } = statSync(join(root, "src/a.ts"));
    // Written beside it, then renamed over it: the new file cannot have the old one's inode.
    writeFileSync(join(root, "src/a.ts.new"), "export const c = 1;\n");
    utimesSync(join(root, "src/a.ts.new"), mtime, mtime);
    renameSync(join(root, "src/a.ts.new"), join(root, "src/a.ts"));
    expect(staleReason(readManifest(cache)!, root)).toBe("src/a.ts changed");
  });

  test("does not apply once an input is edited, even to the same size", () => {
    publish(manifest());
    const later = new Date(statSync(join(root, "src/a.ts")).mtimeMs + 5000);
    writeFileSync(join(root, "src/a.ts"), "export const b = 1;\n");
    utimesSync(join(root, "src/a.ts"), later, later);
    expect(staleReason(readManifest(cache)!, root)).toBe("src/a.ts changed");
    expect(freshEntry(cache, root)).toBeUndefined();
  });

  test("does not apply when an input is gone, to another clone, another Bun or another manifest format", () => {
    const m = manifest();
    publish({ ...m, inputs: [...m.inputs, ["src/gone.ts", 1, 1, 1]] });
    expect(staleReason(readManifest(cache)!, root)).toBe("src/gone.ts is gone");
    publish(m);
    expect(staleReason(readManifest(cache)!, "/elsewhere")).toBe(`built for ${root}`);
    publish({ ...m, bun: "0.0.1" });
    expect(freshEntry(cache, root)).toBeUndefined();
    publish({ ...m, version: MANIFEST_VERSION + 1 });
    expect(readManifest(cache)).toBeUndefined();
    writeFileSync(manifestPath(cache), "{ torn");
    expect(freshEntry(cache, root)).toBeUndefined();
  });
});

test("a build that fails publishes nothing and leaves its reason, so that starts do not retry it at once", async () => {
  const root = temp("vpo-bundle-broken-");
  const cache = temp("vpo-bundle-broken-cache-");
  try {
    mkdirSync(join(root, "cli"));
    // Top-level await cannot be CommonJS: the CLI's modules must not use it.
    writeFileSync(join(root, "cli/main.ts"), "await Promise.resolve();\nexport const start = () => 0;\n");
    expect(buildBundleLocked(root, cache)).rejects.toThrow("bundling the CLI failed");
    await buildBundleLocked(root, cache).catch(() => {});
    expect(readFileSync(failedPath(cache), "utf8")).toContain("await");
    expect(readManifest(cache)).toBeUndefined();
    expect(readdirSync(cache).filter((name) => name.startsWith("build-"))).toEqual([]);
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  }
});

describe("bin/vpo's launcher", () => {
  let cache: string;
  let built: BundleManifest;
  beforeAll(async () => {
    cache = temp("vpo-bundle-cache-");
    built = (await buildBundle(ROOT, cache))!;
  }, 120_000);
  afterAll(() => rmSync(cache, { recursive: true, force: true }));

  test("the build lists vpo's sources and the packages it inlines as inputs, and leaves workers and heavy packages out", () => {
    expect(built).toBeDefined();
    const inputs = built.inputs.map(([path]) => path);
    expect(inputs).toContain("cli/main.ts");
    expect(inputs).toContain("core/mod.ts");
    expect(inputs.some((p) => p.startsWith("node_modules/kysely/"))).toBe(true);
    expect(inputs).not.toContain("core/plugin_host/worker.ts");
    expect(inputs.some((p) => p.startsWith("node_modules/elysia/") || p.startsWith("node_modules/pdfkit/"))).toBe(false);
    const code = readFileSync(join(cache, built.dir, "main.js"), "utf8");
    // Paths into the clone are the sources' own, not the bundle's directory.
    expect(code).toContain(JSON.stringify(join(ROOT, "cli/commands"))); // cli/commands/init.ts finds its templates there
    expect(code).not.toContain("import.meta.dir");
  });

  test("runs a fresh bundle, and the sources (building a new bundle meanwhile) once an input changed", async () => {
    const data = temp("vpo-bundle-data-");
    const fake = temp("vpo-bundle-fake-");
    try {
      // A stand-in bundle that says where it comes from, under the real manifest's inputs.
      cpSync(cache, fake, { recursive: true });
      mkdirSync(join(fake, "build-fake"));
      writeFileSync(join(fake, "build-fake/main.js"), 'exports.start = async () => { process.stdout.write("from the bundle\\n"); process.exit(0); };\n');
      writeFileSync(manifestPath(fake), JSON.stringify({ ...built, dir: "build-fake" }));
      expect((await launch(["--version"], fake, data)).stdout).toBe("from the bundle\n");

      // One input as if edited since: the sources answer, and a bundle of the sources is built for the next start.
      const [path, ino, size, mtimeMs] = built.inputs[0]!;
      writeFileSync(manifestPath(fake), JSON.stringify({ ...built, dir: "build-fake", inputs: [[path, ino, size, mtimeMs - 1], ...built.inputs.slice(1)] }));
      const stale = await launch(["--version"], fake, data);
      expect(stale.stdout).toBe(`${JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version}\n`);
      let rebuilt: BundleManifest | undefined;
      for (let i = 0; i < 240 && !(rebuilt = readManifest(fake))?.dir.startsWith("build-1"); i++) await Bun.sleep(250);
      expect(rebuilt?.dir).not.toBe("build-fake");
      expect(freshEntry(fake, ROOT)).toBe(join(fake, rebuilt!.dir, "main.js"));
    } finally {
      rmSync(data, { recursive: true, force: true });
      rmSync(fake, { recursive: true, force: true });
    }
  }, 120_000);

  test("the bundled CLI records a run with a third-party plugin (hosted from the sources) and reads it back", async () => {
    const data = temp("vpo-bundle-run-");
    try {
      mkdirSync(join(data, "node_modules"));
      const { symlinkSync } = await import("node:fs");
      symlinkSync(ROOT, join(data, "node_modules/vpo"));
      writeFileSync(
        join(data, "their-plugin.ts"),
        'import * as v from "valibot";\nimport { definePlugin } from "vpo";\nexport default definePlugin({ name: "name-length", version: "0.1.0", metrics: v.object({ n: v.number() }), afterRun: (run) => ({ n: run.filePath.length }) });\n',
      );
      const file = await copyFixture(await makeFixtures(), "clip", data);
      expect(freshEntry(cache, ROOT)).toBeDefined();
      const empty = await launch(["stats", "summary"], cache, data);
      expect(empty.code).toBe(65);
      expect(empty.stderr).toContain("No statistics found");
      const run = await launch(["--plugin", "./their-plugin.ts", "run", file, "--policy-name", "copy", "--json", "--", "cp", "{input}", "{output}"], cache, data);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout).plugin_metrics["name-length"]).toEqual({ n: file.length });
      const summary = await launch(["stats", "summary", "--format", "json"], cache, data);
      expect(summary.code).toBe(0);
      expect(JSON.parse(summary.stdout).total_files_processed).toBe(1);
      const help = await launch(["stats", "--help"], cache, data);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain("vpo stats");
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  }, 120_000);
});
