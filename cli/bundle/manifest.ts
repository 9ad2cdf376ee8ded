/**
 * The bundled CLI's record of what it was built from, and the check that it still matches: a
 * bundle runs only while every input file (vpo's sources and the packages bundled in) has the
 * inode, size and modification time it had when the bundle was made, on the same Bun, in the same
 * clone. An edit changes the time; git, npm and tar replace a file (a new inode).
 * After `git pull`, an edit or `npm install`, the check fails and the sources run instead.
 * Imports node:fs only: this runs before anything else on every start.
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";

export const MANIFEST_VERSION = 2;

export interface BundleManifest {
  version: number;
  /** The clone the bundle was built from (its absolute path). */
  root: string;
  bun: string;
  /** Directory of the bundle, relative to the cache directory. */
  dir: string;
  /** Every input file, relative to root, with its inode, size and mtime (ms) when built. */
  inputs: [path: string, ino: number, size: number, mtimeMs: number][];
}

/** Where the bundle of the clone at `root` is kept (VPO_CLI_CACHE for tests). */
export const cacheDir = (root: string): string => process.env.VPO_CLI_CACHE || join(root, "node_modules/.cache/vpo-cli");

export const manifestPath = (cache: string): string => join(cache, "manifest.json");

/** Written when a build failed, with the reason: starts do not try again for RETRY_FAILED_MS. */
export const failedPath = (cache: string): string => join(cache, "failed.txt");
export const RETRY_FAILED_MS = 10 * 60_000;

/** The manifest in `cache`, or undefined when there is none or it cannot be read. */
export function readManifest(cache: string): BundleManifest | undefined {
  try {
    const manifest = JSON.parse(readFileSync(manifestPath(cache), "utf8")) as BundleManifest;
    return manifest.version === MANIFEST_VERSION ? manifest : undefined;
  } catch {
    return undefined;
  }
}

/** The first input that differs from the manifest ("" when none does), or why the manifest does not apply. */
export function staleReason(manifest: BundleManifest, root: string): string {
  if (manifest.root !== root) return `built for ${manifest.root}`;
  if (manifest.bun !== Bun.version) return `built with Bun ${manifest.bun}`;
  for (const [path, ino, size, mtimeMs] of manifest.inputs) {
    try {
      const stat = statSync(join(root, path));
      if (stat.ino !== ino || stat.size !== size || stat.mtimeMs !== mtimeMs) return `${path} changed`;
    } catch {
      return `${path} is gone`;
    }
  }
  return "";
}

/** The bundle's entry file when a bundle of exactly these sources is in `cache`, else undefined. */
export function freshEntry(cache: string, root: string): string | undefined {
  const manifest = readManifest(cache);
  if (!manifest || staleReason(manifest, root) !== "") return undefined;
  return join(cache, manifest.dir, "main.js");
}
