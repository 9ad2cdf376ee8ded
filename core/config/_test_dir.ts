import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** Test-only: a fresh data dir with the given files (paths relative to it) and an env pointing at it. */
export function dataDirWith(files: Record<string, string> = {}): { dir: string; env: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), "vpo-config-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return { dir, env: { VPO_DATA_DIR: dir } };
}
