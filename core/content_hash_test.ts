import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { partialHash } from "./content_hash.ts";

const dir = mkdtempSync(join(tmpdir(), "vpo-hash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sha = (bytes: Uint8Array | string) => `sha256:${new Bun.CryptoHasher("sha256").update(bytes).digest("hex")}`;

test("the partial hash is the size, first and last MiB of a large file, and the whole of a small one", async () => {
  const big = new Uint8Array(3 * 2 ** 20).map((_, i) => i % 251);
  writeFileSync(join(dir, "big"), big);
  const mib = 2 ** 20;
  const expected = new Bun.CryptoHasher("sha256").update(String(big.length)).update(big.subarray(0, mib)).update(big.subarray(big.length - mib)).digest("hex");
  expect(await partialHash(join(dir, "big"))).toBe(`sha256:${expected}`);
  writeFileSync(join(dir, "small"), "abc");
  expect(await partialHash(join(dir, "small"))).toBe(sha("3abcabc"));
});

test("a file rewritten in place, same size, hashes anew: a kept hash belongs to one state of the file", async () => {
  const file = join(dir, "rewritten");
  writeFileSync(file, "aaaa");
  const old = new Date(Date.now() - 60_000);
  utimesSync(file, old, old); // settled: its hash is kept
  expect(await partialHash(file)).toBe(sha("4aaaaaaaa"));
  expect(await partialHash(file)).toBe(sha("4aaaaaaaa"));
  writeFileSync(file, "bbbb");
  utimesSync(file, old, old); // even with the same mtime: the change time moved
  expect(await partialHash(file)).toBe(sha("4bbbbbbbb"));
  // Written just now, twice in a row: never answered from the first write's hash.
  for (let i = 0; i < 50; i++) {
    writeFileSync(file, `c${i % 10}cc`);
    expect(await partialHash(file)).toBe(sha(`4c${i % 10}ccc${i % 10}cc`));
  }
});
