import { isAbsolute, join, resolve } from "node:path";
import { parseDatabaseLocation } from "../db/location.ts";
import { dataDir } from "../paths.ts";
import type { ConfigSource, LoadedConfig } from "./load.ts";

const RANK: Record<ConfigSource, number> = { default: 0, config: 1, profile: 2, env: 3, flag: 4 };

/**
 * The database to open: `[database] url` (also `VPO_DATABASE_URL`, `--db`) or `[database] path`,
 * whichever the higher layer set (url wins a tie). A relative SQLite path is taken from the
 * working directory when it came from a flag, else from the data dir.
 *
 * @example databaseLocation(loadConfig({ flags: { database: { url: "postgres://db.lan/vpo" } } })) // "postgres://db.lan/vpo"
 */
export function databaseLocation(loaded: LoadedConfig, env: Record<string, string | undefined> = process.env): string {
  const { url, path } = loaded.config.database;
  const urlRank = url === undefined ? -1 : RANK[loaded.sources["database.url"] ?? "default"];
  const pathRank = path === undefined ? -1 : RANK[loaded.sources["database.path"] ?? "default"];
  if (url === undefined || pathRank > urlRank) return path!;
  const where = parseDatabaseLocation(url);
  if (where.dialect !== "sqlite" || where.path === ":memory:" || isAbsolute(where.path)) return url;
  return loaded.sources["database.url"] === "flag" ? resolve(where.path) : join(dataDir(env), where.path);
}
