import { mkdirSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dir, "../..");
const MAIN = join(ROOT, "cli/main.ts");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in a subprocess with its own data dir. */
export async function vpo(args: string[], options: { dataDir: string; cwd?: string; env?: Record<string, string> }): Promise<CliResult> {
  const proc = Bun.spawn([process.execPath, MAIN, ...args], {
    cwd: options.cwd ?? options.dataDir,
    env: { ...process.env, VPO_DATA_DIR: options.dataDir, NO_COLOR: "1", VPO_CONFIG: "", VPO_PROFILE: "", ...options.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

/** A fresh temp dir. */
export function tempDir(prefix = "vpo-cli-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * A directory laid out like a third party's project that installed vpo: its own
 * node_modules with `vpo` and `valibot`, so a plugin file there imports them by name.
 */
export function thirdPartyProject(): string {
  const dir = tempDir("vpo-thirdparty-");
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(ROOT, join(dir, "node_modules/vpo"));
  symlinkSync(join(ROOT, "node_modules/valibot"), join(dir, "node_modules/valibot"));
  return dir;
}
