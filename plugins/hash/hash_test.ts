import { afterAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runCapture } from "../../core/mod.ts";
import { rewriteInPlace } from "../../tests/fixtures/ffmpeg.ts";
import { captureWith, KEEP_FIRST_AUDIO, scratch } from "../../tests/fixtures/plugin_run.ts";
import hashPlugin, { createHashPlugin, partialHash, PARTIAL_WINDOW_BYTES } from "./mod.ts";

const tmp = await scratch("hash");
afterAll(tmp.cleanup);
const MiB = 1024 * 1024;

/** The documented definition, implemented independently with node:crypto over the whole buffer. */
function expectedPartial(content: Buffer): string {
  const window = Math.min(content.length, MiB);
  const h = createHash("sha256");
  h.update(String(content.length), "ascii");
  h.update(content.subarray(0, window));
  h.update(content.subarray(content.length - window));
  return `sha256:${h.digest("hex")}`;
}
const expectedFull = (content: Buffer) => `sha256:${createHash("sha256").update(content).digest("hex")}`;

/** Deterministic pseudo-random bytes, so sizes and windows are exercised on non-uniform content. */
function bytes(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe("hash plugin, partial mode", () => {
  test("hash_before and hash_after match the definition on the file before and after ffmpeg rewrites it", async () => {
    const file = await tmp.copy("multi");
    const original = await readFile(file);
    const record = await runCapture(captureWith(createHashPlugin()), { filePath: file, policyName: "strip" }, async () => {
      await rewriteInPlace(file, KEEP_FIRST_AUDIO);
    });
    const final = await readFile(file);
    expect(record.plugin_errors).toEqual([]);
    expect(record.hash_before).toBe(expectedPartial(original));
    expect(record.hash_after).toBe(expectedPartial(final));
    expect(record.hash_after).not.toBe(record.hash_before);
    expect(record.plugin_metrics.hash).toEqual({ mode: "partial" });
  });

  test("an untouched file hashes the same before and after", async () => {
    const file = await tmp.copy("clip");
    const record = await runCapture(captureWith(hashPlugin), { filePath: file, policyName: "noop" }, async () => {});
    expect(record.hash_before).toBe(expectedPartial(await readFile(file)));
    expect(record.hash_after).toBe(record.hash_before);
  });

  test("matches the definition at the window boundaries: empty, 1 byte, 1 MiB, 1 MiB + 1, 1.5 MiB, 2 MiB, 3 MiB", async () => {
    expect(PARTIAL_WINDOW_BYTES).toBe(MiB);
    for (const size of [0, 1, MiB, MiB + 1, 1.5 * MiB, 2 * MiB, 3 * MiB]) {
      const path = join(tmp.dir, `sized-${size}.bin`);
      const content = bytes(size, size + 7);
      await writeFile(path, content);
      expect(await partialHash(path)).toBe(expectedPartial(content));
    }
  });

  test("sees a change in the size or the last MiB of a large file but, by design, not one in its middle", async () => {
    const path = join(tmp.dir, "large.bin");
    const content = bytes(3 * MiB);
    await writeFile(path, content);
    const original = await partialHash(path);
    content[Math.floor(1.5 * MiB)]! ^= 0xff;
    await writeFile(path, content);
    expect(await partialHash(path)).toBe(original);
    content[3 * MiB - 1]! ^= 0xff;
    await writeFile(path, content);
    expect(await partialHash(path)).not.toBe(original);
  });

  test("a failed run that removed the file keeps hash_before and records hash_after as null", async () => {
    const file = await tmp.copy("silent");
    const original = await readFile(file);
    const record = await runCapture(captureWith(createHashPlugin()), { filePath: file, policyName: "strip" }, async () => {
      await Bun.file(file).delete();
      throw new Error("output verification failed");
    });
    expect(record.hash_before).toBe(expectedPartial(original));
    expect(record.hash_after).toBeNull();
  });
});

describe("hash plugin, full mode", () => {
  test("hashes the whole content before and after and reports mode full", async () => {
    const file = await tmp.copy("hevc");
    const original = await readFile(file);
    const record = await runCapture(captureWith(createHashPlugin({ full: true })), { filePath: file, policyName: "strip" }, async () => {
      await rewriteInPlace(file, ["-map", "0:v", "-c", "copy"]);
    });
    expect(record.plugin_errors).toEqual([]);
    expect(record.hash_before).toBe(expectedFull(original));
    expect(record.hash_after).toBe(expectedFull(await readFile(file)));
    expect(record.plugin_metrics.hash).toEqual({ mode: "full" });
  });

  test("sees a change in the middle of a large file that the partial hash misses", async () => {
    const path = join(tmp.dir, "large-full.bin");
    const content = bytes(3 * MiB, 3);
    await writeFile(path, content);
    const capture = captureWith(createHashPlugin({ full: true }));
    const record = await runCapture(capture, { filePath: path, policyName: "poke" }, async () => {
      content[Math.floor(1.5 * MiB)]! ^= 0xff;
      await writeFile(path, content);
    });
    expect(record.hash_after).toBe(expectedFull(content));
    expect(record.hash_after).not.toBe(record.hash_before);
  });
});
