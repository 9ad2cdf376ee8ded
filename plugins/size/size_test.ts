import { afterAll, describe, expect, test } from "bun:test";
import { stat, unlink } from "node:fs/promises";
import { runCapture } from "../../core/mod.ts";
import { rewriteInPlace } from "../../tests/fixtures/ffmpeg.ts";
import { captureWith, KEEP_FIRST_AUDIO, scratch } from "../../tests/fixtures/plugin_run.ts";
import sizePlugin, { createSizePlugin } from "./mod.ts";

const tmp = await scratch("size");
afterAll(tmp.cleanup);
const begin = (filePath: string) => ({ filePath, policyName: "strip-audio" });

describe("size plugin", () => {
  test("records the sizes stat reports before and after ffmpeg drops two audio tracks, and the core derives the saving", async () => {
    const file = await tmp.copy("multi");
    const sizeBefore = (await stat(file)).size;
    const record = await runCapture(captureWith(createSizePlugin()), begin(file), async (run) => {
      const phase = run.startPhase("remux");
      await rewriteInPlace(file, KEEP_FIRST_AUDIO);
      await phase.end({ bytesRead: sizeBefore, bytesWritten: (await stat(file)).size });
    });
    const sizeAfter = (await stat(file)).size;
    expect(sizeAfter).toBeLessThan(sizeBefore);
    expect(record.plugin_errors).toEqual([]);
    expect(record.size_before).toBe(sizeBefore);
    expect(record.size_after).toBe(sizeAfter);
    expect(record.size_change).toBe(sizeBefore - sizeAfter);
    expect(record.plugin_metrics.size).toEqual({ bytes_read: sizeBefore, bytes_written: sizeAfter });
  });

  test("bytes read and written are summed over phases, and are null when any phase did not measure them", async () => {
    const file = await tmp.copy("clip");
    const record = await runCapture(captureWith(createSizePlugin()), begin(file), async (run) => {
      await run.startPhase("one").end({ bytesRead: 100, bytesWritten: 40 });
      await run.startPhase("two").end({ bytesRead: 60 });
    });
    expect(record.plugin_metrics.size).toEqual({ bytes_read: 160, bytes_written: null });
  });

  test("a run with no phases has unknown I/O and an unchanged file has a size change of 0", async () => {
    const file = await tmp.copy("silent");
    const size = (await stat(file)).size;
    const record = await runCapture(captureWith(sizePlugin), begin(file), async () => {});
    expect([record.size_before, record.size_after, record.size_change]).toEqual([size, size, 0]);
    expect(record.plugin_metrics.size).toEqual({ bytes_read: null, bytes_written: null });
  });

  test("a failed run that removed the file keeps size_before and records size_after as null", async () => {
    const file = await tmp.copy("hevc");
    const size = (await stat(file)).size;
    const record = await runCapture(captureWith(createSizePlugin()), begin(file), async () => {
      await unlink(file);
      throw new Error("disk full while writing the output");
    });
    expect(record.success).toBe(false);
    expect(record.error_message).toBe("disk full while writing the output");
    expect([record.size_before, record.size_after, record.size_change]).toEqual([size, null, null]);
  });
});
