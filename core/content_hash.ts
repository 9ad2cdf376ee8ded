/**
 * Content hashes as vpo records them: "sha256:<64 hex digits>".
 *
 * Partial hash, for a file of `size` bytes, with M = 1 MiB = 1048576 bytes:
 *
 *     sha256( ASCII(decimal size) ‖ bytes[0, min(size, M)) ‖ bytes[size − min(size, M), size) )
 *
 * It reads at most 2 MiB whatever the file's size; a change outside both windows that keeps
 * the size is not detected. The full hash streams the whole content.
 */

import { resolve } from "node:path";
import { fileStateKey, stateMemo } from "./file_state.ts";

/** Size of each of the two windows of the partial hash. */
export const PARTIAL_WINDOW_BYTES = 1024 * 1024;

/**
 * Partial hashes of recent file states: a run asks for the same file's several times (the engine's
 * "before", the hash plugin's, the skip check of `vpo process`, the files row after the replace).
 */
const recentPartial = stateMemo<string>(64);
const SETTLED_MS = 20;

/** The partial hash defined above, as "sha256:<hex>"; read once per state of the file. */
export async function partialHash(path: string): Promise<string> {
  const file = Bun.file(path);
  const stat = await file.stat();
  const statAt = Date.now();
  const key = fileStateKey(resolve(path), stat);
  const kept = recentPartial.get(key);
  if (kept) return kept;
  const size = stat.size;
  const window = Math.min(size, PARTIAL_WINDOW_BYTES);
  const hasher = new Bun.CryptoHasher("sha256");
  hasher.update(String(size));
  hasher.update(await file.slice(0, window).bytes());
  hasher.update(await file.slice(size - window, size).bytes());
  const hash = `sha256:${hasher.digest("hex")}`;
  // Kept only if a later write cannot carry the same times: on kernels with coarse timestamps
  // (one clock tick, up to 10 ms) a write in the tick of the last one would look unchanged.
  if (statAt - stat.ctimeMs > SETTLED_MS) recentPartial.set(key, hash);
  return hash;
}

/** sha256 of the whole file, read as a stream: memory use does not grow with the file. */
export async function fullHash(path: string): Promise<string> {
  const hasher = new Bun.CryptoHasher("sha256");
  for await (const chunk of Bun.file(path).stream()) hasher.update(chunk);
  return `sha256:${hasher.digest("hex")}`;
}
