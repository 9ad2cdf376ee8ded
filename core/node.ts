import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join, relative, resolve, sep } from "node:path";
import type { Db } from "./db/handle.ts";

/** This machine as runs, jobs and in-flight markers name it. */
export interface NodeIdentity {
  /** Stable for the life of the data dir (kept in `<data dir>/node-id`). */
  id: string;
  /** `[node] name`, else the host name: what views show and filter by. */
  name: string;
  hostname: string;
}

const ID = /^[0-9a-f-]{36}$/;

/**
 * The identity of this machine: its id is made once and kept in the data dir, so a rename of the
 * host or of `[node] name` keeps the same node; written atomically, so concurrent first starts
 * agree on one id.
 */
export function nodeIdentity(dataDir: string, name?: string | null): NodeIdentity {
  const file = join(dataDir, "node-id");
  let id = readId(file);
  if (!id) {
    mkdirSync(dataDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${Bun.randomUUIDv7()}\n`, { flag: "wx" });
    renameSync(tmp, file);
    id = readId(file)!;
  }
  return { id, name: name || hostname(), hostname: hostname() };
}

function readId(file: string): string | null {
  try {
    const text = readFileSync(file, "utf8").trim();
    return ID.test(text) ? text : null;
  } catch {
    return null;
  }
}

/** Records that the node is alive (and under which name), for `vpo stats nodes` and `/api/nodes`. */
export async function registerNode(db: Db, node: NodeIdentity, version: string | null): Promise<void> {
  const now = new Date().toISOString();
  await db
    .insertInto("nodes")
    .values({ id: node.id, name: node.name, hostname: node.hostname, first_seen: now, last_seen: now, version })
    .onConflict((oc) => oc.column("id").doUpdateSet({ name: node.name, hostname: node.hostname, last_seen: now, version }))
    .execute();
}

/** A file in a library: its name and the path inside its root, as jobs and runs name files across machines. */
export interface LibraryPath {
  library: string;
  /** Relative to the library root, with "/" separators. */
  path: string;
}

/**
 * The library a file belongs to: the configured root that contains it (the longest, when roots
 * nest), or null.
 *
 * @example libraryOf("/mnt/nas/movies/a.mkv", { movies: "/mnt/nas/movies" }) // { library: "movies", path: "a.mkv" }
 */
export function libraryOf(file: string, libraries: Record<string, string>): LibraryPath | null {
  const absolute = resolve(file);
  let best: LibraryPath | null = null;
  let bestLength = -1;
  for (const [library, root] of Object.entries(libraries)) {
    const base = resolve(root);
    const inside = relative(base, absolute);
    if (inside === "" || inside.startsWith("..") || inside.startsWith(sep)) continue;
    if (base.length > bestLength) {
      best = { library, path: inside.split(sep).join("/") };
      bestLength = base.length;
    }
  }
  return best;
}

/** Where a library file is on this machine, or null when this machine has no such library. */
export function pathInLibrary(location: LibraryPath, libraries: Record<string, string>): string | null {
  const root = libraries[location.library];
  return root === undefined ? null : join(resolve(root), ...location.path.split("/"));
}
