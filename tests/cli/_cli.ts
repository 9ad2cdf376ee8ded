import { mkdirSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dir, "../..");
/**
 * The CLI's entry under test: the sources (cli/main.ts), or with VPO_TEST_ENTRY=cli/launch.ts what
 * bin/vpo runs, the bundled CLI (build it first: `bun cli/bundle/build.ts`).
 */
const MAIN = join(ROOT, process.env.VPO_TEST_ENTRY || "cli/main.ts");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment the CLI runs in under test: its own data dir, no colour, no user config. */
export const cliEnv = (dataDir: string, env?: Record<string, string>): Record<string, string | undefined> =>
  ({ ...process.env, VPO_DATA_DIR: dataDir, NO_COLOR: "1", VPO_CONFIG: "", VPO_PROFILE: "", ...env });

/** The CLI as a shell command line, for tests that put it in a pipeline: `${VPO} stats summary | head`. */
export const VPO = `"${process.execPath}" "${MAIN}"`;

/** Runs the real CLI in a subprocess with its own data dir. */
export async function vpo(args: string[], options: { dataDir: string; cwd?: string; env?: Record<string, string> }): Promise<CliResult> {
  const proc = Bun.spawn([process.execPath, MAIN, ...args], {
    cwd: options.cwd ?? options.dataDir,
    env: cliEnv(options.dataDir, options.env),
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
