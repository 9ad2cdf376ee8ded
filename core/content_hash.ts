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

/** Size of each of the two windows of the partial hash. */
export const PARTIAL_WINDOW_BYTES = 1024 * 1024;

/** The partial hash defined above, as "sha256:<hex>". */
export async function partialHash(path: string): Promise<string> {
  const file = Bun.file(path);
  const size = (await file.stat()).size;
  const window = Math.min(size, PARTIAL_WINDOW_BYTES);
  const hasher = new Bun.CryptoHasher("sha256");
  hasher.update(String(size));
  hasher.update(await file.slice(0, window).bytes());
  hasher.update(await file.slice(size - window, size).bytes());
  return `sha256:${hasher.digest("hex")}`;
}

/** sha256 of the whole file, read as a stream: memory use does not grow with the file. */
export async function fullHash(path: string): Promise<string> {
  const hasher = new Bun.CryptoHasher("sha256");
  for await (const chunk of Bun.file(path).stream()) hasher.update(chunk);
  return `sha256:${hasher.digest("hex")}`;
}
