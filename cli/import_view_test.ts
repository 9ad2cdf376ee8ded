import { describe, expect, test } from "bun:test";
import { Writable } from "node:stream";
import { importView } from "./import_view.ts";

/** A terminal-like stream that keeps what was drawn. */
function screen() {
  let text = "";
  const out = Object.assign(new Writable({ write: (chunk, _enc, done) => ((text += String(chunk)), done()) }), { isTTY: true, columns: 120 });
  return { out, text: () => text.replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, "") };
}

const bytes = (n: number) => new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(new Uint8Array(n)), c.close()) });

describe("importView", () => {
  test("on a terminal: a bar for checking, then one for importing, with their counts", async () => {
    const { out, text } = screen();
    const view = importView(1_000, out, true);
    for await (const _ of view.counted(bytes(1_000))) view.onProgress({ phase: "checking", lines: 2_000, invalid: 3, stored: 0, duplicates: 0 });
    for await (const _ of view.counted(bytes(500))) view.onProgress({ phase: "storing", lines: 1_000, invalid: 3, stored: 990, duplicates: 7 });
    view.close();
    const drawn = text();
    expect(drawn).toContain("Checking");
    expect(drawn).toContain("2,000 lines, 3 invalid");
    expect(drawn).toContain("Importing");
    expect(drawn).toContain("990 runs stored, 7 already there");
    expect(drawn.indexOf("Checking")).toBeLessThan(drawn.indexOf("Importing"));
  });

  test("elsewhere (not a terminal, or JSON asked): nothing is drawn", async () => {
    const { out, text } = screen();
    const view = importView(100, out, false);
    for await (const _ of view.counted(bytes(100))) view.onProgress({ phase: "checking", lines: 1, invalid: 0, stored: 0, duplicates: 0 });
    view.close();
    expect(text()).toBe("");
  });
});
