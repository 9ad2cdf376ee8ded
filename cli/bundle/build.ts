/**
 * Builds the bundled CLI: cli/main.ts and every command it loads, with the pure-JS packages
 * inlined, as one CommonJS file and its JavaScriptCore bytecode. Module loading and parsing are
 * most of a short command's time (Kysely alone is 258 modules); a bundle whose bytecode is ready
 * skips both. Commands stay lazy inside it: a command's modules are initialised when it runs.
 * (Bun makes bytecode only for CommonJS, which cannot be split into chunks: hence one file.)
 *
 * What stays outside, loaded from the clone as before:
 * - workers (plugin host, server readers) and third-party plugins run from the sources, so a
 *   plugin's `import … from "vpo"` reaches one core in its worker (core/plugin_host);
 * - packages that read files next to themselves or load native/optional modules (EXTERNAL);
 * - files read at run time (templates, dashboard): `import.meta.dir|url|path` in vpo's own
 *   sources are replaced by the source file's own, so every path still points into the clone.
 *   `import.meta.main` is false: no bundled module is the script Bun was started with.
 *
 * The bundle is published only if no input changed while it was built; manifest.ts decides at
 * each start whether it still matches the sources. Run as a script by launch.ts in the background.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type BundleManifest, cacheDir, failedPath, MANIFEST_VERSION, manifestPath } from "./manifest.ts";

const ROOT = resolve(import.meta.dir, "../..");

/** Packages loaded from node_modules at run time rather than bundled (see the header). */
const EXTERNAL = [
  "pdfkit",
  "elysia",
  "@elysiajs/*",
  "swagger-ui-dist",
  "pg",
  "pg-*",
  "pg-boss",
  "nodemailer",
  "prom-client",
  "@ffmpeg-installer/*",
  "@ffprobe-installer/*",
  "playwright-core",
  "bun:*",
];

/** How long a build may hold the lock before another start may take it over. */
const LOCK_STALE_MS = 5 * 60_000;
/** Earlier bundles are removed once this old (a long-running `vpo serve` may still load chunks from one). */
const OLD_BUNDLE_MS = 24 * 3600_000;

/** `import.meta.*` in one of vpo's own source files, as the values that file has in the clone. */
function pinImportMeta(path: string, text: string): string {
  return text
    .replaceAll("import.meta.url", JSON.stringify(pathToFileURL(path).href))
    .replaceAll("import.meta.dirname", JSON.stringify(dirname(path)))
    .replaceAll("import.meta.dir", JSON.stringify(dirname(path)))
    .replaceAll("import.meta.filename", JSON.stringify(path))
    .replaceAll("import.meta.path", JSON.stringify(path))
    .replaceAll("import.meta.main", "false");
}

/**
 * Builds a bundle of the clone at `root` into `cache` and publishes it (manifest.json names it).
 * Returns the manifest, or undefined when an input changed during the build (nothing published).
 */
export async function buildBundle(root = ROOT, cache = cacheDir(root)): Promise<BundleManifest | undefined> {
  const started = Date.now();
  const dir = `build-${started}-${process.pid}`;
  const out = join(cache, dir);
  mkdirSync(out, { recursive: true });
  const ownSources = new RegExp(`^${root.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/(?!node_modules/).*\\.ts$`);
  const result = await Bun.build({
    entrypoints: [join(root, "cli/main.ts")],
    outdir: out,
    target: "bun",
    format: "cjs",
    bytecode: true,
    minify: true,
    metafile: true,
    throw: false, // a failure is in result.logs
    external: EXTERNAL,
    plugins: [
      {
        name: "pin-import-meta",
        setup(build) {
          build.onLoad({ filter: ownSources }, ({ path }) => ({ contents: pinImportMeta(path, readFileSync(path, "utf8")), loader: "ts" }));
        },
      },
    ],
  });
  if (!result.success || !result.metafile) {
    rmSync(out, { recursive: true, force: true });
    throw new AggregateError(result.logs, "bundling the CLI failed");
  }
  const inputs: BundleManifest["inputs"] = [];
  for (const input of Object.keys(result.metafile.inputs)) {
    const path = resolve(root, input);
    if (!existsSync(path)) continue; // a virtual module of the bundler
    const stat = statSync(path);
    // Changed while the bundle was made: it may hold the old text under the new time.
    if (stat.mtimeMs >= started - 1) {
      rmSync(out, { recursive: true, force: true });
      return undefined;
    }
    inputs.push([relative(root, path), stat.ino, stat.size, stat.mtimeMs]);
  }
  // What decides how the packages resolve is an input too (a package added or removed by npm).
  for (const file of ["package.json", "tsconfig.json", "bunfig.toml", "node_modules/.package-lock.json"]) {
    if (existsSync(join(root, file))) {
      const stat = statSync(join(root, file));
      inputs.push([file, stat.ino, stat.size, stat.mtimeMs]);
    }
  }
  const manifest: BundleManifest = { version: MANIFEST_VERSION, root, bun: Bun.version, dir, inputs };
  const temp = `${manifestPath(cache)}.${process.pid}`;
  writeFileSync(temp, JSON.stringify(manifest));
  renameSync(temp, manifestPath(cache));
  removeOldBundles(cache, dir);
  return manifest;
}

function removeOldBundles(cache: string, keep: string): void {
  for (const name of readdirSync(cache)) {
    if (!name.startsWith("build-") || name === keep) continue;
    const path = join(cache, name);
    if (Date.now() - statSync(path).mtimeMs > OLD_BUNDLE_MS) rmSync(path, { recursive: true, force: true });
  }
}

/**
 * Builds under a lock so that many starts after a `git pull` make one bundle. Undefined when
 * another build holds the lock or a source changed during the build (nothing published).
 */
export async function buildBundleLocked(root = ROOT, cache = cacheDir(root)): Promise<BundleManifest | undefined> {
  mkdirSync(cache, { recursive: true });
  const lock = join(cache, "build.lock");
  try {
    closeSync(openSync(lock, "wx"));
  } catch {
    if (Date.now() - statSync(lock).mtimeMs < LOCK_STALE_MS) return undefined;
    rmSync(lock, { force: true }); // left by a build that died
    closeSync(openSync(lock, "wx"));
  }
  try {
    const manifest = await buildBundle(root, cache);
    rmSync(failedPath(cache), { force: true });
    return manifest;
  } catch (error) {
    // Remembered, so that every start does not try again (launch.ts waits RETRY_FAILED_MS).
    writeFileSync(failedPath(cache), `${error instanceof AggregateError ? error.errors.map(String).join("\n") : String(error)}\n`);
    throw error;
  } finally {
    rmSync(lock, { force: true });
  }
}

if (import.meta.main) {
  // `bun cli/bundle/build.ts`: build now, in the foreground (launch.ts runs it detached).
  const built = await buildBundleLocked();
  console.log(built ? `vpo: bundled CLI in ${join(cacheDir(ROOT), built.dir)} (${built.inputs.length} inputs)` : "vpo: no bundle built (another build is running, or a source changed during the build)");
}
