import { homedir } from "node:os";
import { join } from "node:path";

/** `$VPO_DATA_DIR`, else `~/.vpo`: where the database, config, profiles and policies live. */
export function dataDir(env: Record<string, string | undefined> = process.env): string {
  return env.VPO_DATA_DIR || join(homedir(), ".vpo");
}

/** The default database file inside the data dir. */
export function defaultDatabasePath(env: Record<string, string | undefined> = process.env): string {
  return join(dataDir(env), "library.db");
}
