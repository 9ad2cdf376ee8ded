import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openOutput } from "./_output.ts";

describe("openOutput", () => {
  test("writes through FILE.tmp and renames it into place only when finished", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vpo-output-"));
    const file = join(dir, "runs.ndjson");
    const out = openOutput(file);
    await out.write("a\n".repeat(200_000)); // more than one chunk
    expect(existsSync(file)).toBe(false);
    await out.finish();
    expect(readFileSync(file, "utf8")).toBe("a\n".repeat(200_000));
    expect(existsSync(`${file}.tmp`)).toBe(false);
  });

  test("an export that fails half-way leaves the previous file untouched and no temp file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vpo-output-"));
    const file = join(dir, "runs.ndjson");
    writeFileSync(file, "previous export\n");
    const out = openOutput(file);
    await out.write("x".repeat(600_000));
    out.abort();
    expect(readFileSync(file, "utf8")).toBe("previous export\n");
    expect(existsSync(`${file}.tmp`)).toBe(false);
  });

  test("yields to the event loop between chunks, so Ctrl-C is handled in the middle of an export", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vpo-output-"));
    const out = openOutput(join(dir, "runs.ndjson"));
    let timerRan = false;
    setTimeout(() => (timerRan = true), 0);
    for (let i = 0; i < 4; i++) await out.write("x".repeat(300_000));
    expect(timerRan).toBe(true);
    await out.finish();
  });
});
