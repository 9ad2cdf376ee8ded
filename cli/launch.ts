#!/usr/bin/env -S bun --no-install
/**
 * What bin/vpo runs. The bundled CLI (cli/bundle/build.ts) when a bundle of exactly the sources
 * in this clone exists, since it starts in a fraction of the time; otherwise the sources, and a
 * bundle is built in the background for the next start (after `git pull`, `npm install`, an
 * edit). VPO_BUNDLE=0 always runs the sources and builds nothing.
 */
import { existsSync, mkdirSync, statSync } from "node:fs";
import { cacheDir, failedPath, freshEntry, RETRY_FAILED_MS } from "./bundle/manifest.ts";
import { trace } from "../core/trace.ts";

trace("launcher started");

const ROOT = import.meta.dir.slice(0, import.meta.dir.lastIndexOf("/"));
const useBundle = process.env.VPO_BUNDLE !== "0";
const cache = cacheDir(ROOT);

/**
 * Starts `bun cli/bundle/build.ts` detached, unless a build is under way, one failed lately (its
 * reason is in failed.txt) or the cache cannot be written.
 */
async function buildInBackground(): Promise<void> {
  try {
    mkdirSync(cache, { recursive: true });
    if (existsSync(`${cache}/build.lock`)) return;
    if (Date.now() - (statSync(failedPath(cache), { throwIfNoEntry: false })?.mtimeMs ?? 0) < RETRY_FAILED_MS) return;
    const { spawn } = await import("node:child_process");
    spawn(process.execPath, ["--no-install", `${ROOT}/cli/bundle/build.ts`], { cwd: ROOT, detached: true, stdio: "ignore", env: { ...process.env, VPO_CLI_CACHE: cache } }).unref();
  } catch {
    // A clone vpo may not write to (installed by another user): the sources run, as they always could.
  }
}

async function loadCli(): Promise<{ start(): Promise<never> }> {
  const entry = useBundle ? freshEntry(cache, ROOT) : undefined;
  if (entry) {
    try {
      return await import(entry);
    } catch {
      // A chunk removed under us: the sources are the CLI too.
    }
  }
  if (useBundle) await buildInBackground();
  return import("./main.ts");
}

const cli = await loadCli();
trace("CLI loaded");
await cli.start();
