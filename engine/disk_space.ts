/**
 * Refusing work the disk cannot hold: an output is written beside its source before it replaces
 * it, so the source's size is the estimate of what must be free (twice that when two phases
 * rewrite the file, since an intermediate and the next output coexist for a moment).
 */
import { accessSync, constants } from "node:fs";
import { statfs } from "node:fs/promises";
import { VpoError } from "../core/mod.ts";

/**
 * Why nothing can be written in `dir` (a read-only file system, no permission), or null when it
 * can: checked before work starts, so the reason given is the real one, not a later cleanup error.
 */
export function writeBlocker(dir: string): string | null {
  try {
    accessSync(dir, constants.W_OK);
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EROFS") return `"${dir}" is on a read-only file system`;
    if (code === "EACCES" || code === "EPERM") return `no permission to write in "${dir}"`;
    if (code === "ENOENT") return `"${dir}" does not exist`;
    return `cannot write in "${dir}" (${code ?? String(error)})`;
  }
}

/** Bytes an unprivileged process may still write in the file system holding `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

export type FreeBytesFn = (dir: string) => Promise<number>;

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

/** Throws INSUFFICIENT_SPACE, before anything is written, when `dir` has less than `needed` bytes free. */
export async function ensureFreeSpace(file: string, dir: string, needed: number, free: FreeBytesFn = freeBytes): Promise<void> {
  const available = await free(dir);
  if (available < needed) {
    throw new VpoError(
      "INSUFFICIENT_SPACE",
      `Not enough free disk space to process "${file}": about ${mib(needed)} is needed in "${dir}" but only ${mib(available)} is free; nothing was changed`,
    );
  }
}
