import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { discoverMediaFiles, parseExtensions } from "./discover.ts";

describe("discoverMediaFiles", () => {
  test("walks directories for media extensions, case-insensitively, skipping hidden files and .orig backups", () => {
    const root = mkdtempSync(join(tmpdir(), "vpo-discover-"));
    mkdirSync(join(root, "Show/Season 1"), { recursive: true });
    mkdirSync(join(root, ".trash"));
    for (const name of ["Show/Season 1/e01.MKV", "Show/e02.mp4", "movie.m2ts", "movie.orig.mkv", ".movie.mkv.vpo-1234.p0.mkv", "notes.txt", ".trash/old.mkv"]) {
      writeFileSync(join(root, name), "x");
    }
    expect(discoverMediaFiles([root]).files.map((f) => f.path.slice(root.length + 1))).toEqual(["Show/Season 1/e01.MKV", "Show/e02.mp4", "movie.m2ts"]);
    expect(discoverMediaFiles([root], ["mp4"]).files.map((f) => f.path.slice(root.length + 1))).toEqual(["Show/e02.mp4"]);
    // A file named on the command line is taken as given.
    expect(discoverMediaFiles([join(root, "notes.txt")]).files).toHaveLength(1);
  });

  test("a missing path and a bad extension list are errors that quote the value", () => {
    expect(() => discoverMediaFiles(["/no/such/dir"])).toThrow('No such file or directory: "/no/such/dir"');
    expect(parseExtensions(" .MKV, mp4 ,")).toEqual(["mkv", "mp4"]);
    expect(() => parseExtensions(",")).toThrow('Invalid extension list ","');
    // Each of these matched no file at all, and the scan reported nothing found.
    expect(parseExtensions("mkv mp4")).toEqual(["mkv", "mp4"]);
    expect(parseExtensions("*.mkv, *.M2TS")).toEqual(["mkv", "m2ts"]);
    expect(() => parseExtensions("mkv;mp4")).toThrow('Invalid extension "mkv;mp4" in "mkv;mp4": expected letters and digits, separated by commas, e.g. "mkv,mp4"');
  });

  test("a device or a FIFO given as a file is refused (a FIFO blocked the scan for good)", () => {
    const fifo = join(mkdtempSync(join(tmpdir(), "vpo-discover-")), "pipe.mkv");
    expect(Bun.spawnSync(["mkfifo", fifo]).exitCode).toBe(0);
    for (const path of [fifo, "/dev/null"]) {
      expect(() => discoverMediaFiles([path])).toThrow(`"${path}" is not a regular file (a device, FIFO or socket): there is no media file to read`);
    }
  });
});
