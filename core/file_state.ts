/**
 * Which version of a file a result belongs to: path, inode, size, modification and change times.
 * A probe or a hash kept under this key is reused while the key is unchanged: a write, a rename
 * over it or a copy in its place changes at least one of them (ctime on any write).
 */
export const fileStateKey = (path: string, s: { ino: number | bigint; size: number; mtimeMs: number; ctimeMs: number }): string =>
  `${path}\0${s.ino}\0${s.size}\0${s.mtimeMs}\0${s.ctimeMs}`;

/** A bounded memo of results by file state: the oldest goes first once `size` are kept. */
export function stateMemo<T>(size: number): { get(key: string): T | undefined; set(key: string, value: T): void; delete(key: string): void } {
  const kept = new Map<string, T>();
  return {
    get: (key) => kept.get(key),
    set(key, value) {
      kept.set(key, value);
      if (kept.size > size) kept.delete(kept.keys().next().value!);
    },
    delete: (key) => void kept.delete(key),
  };
}
