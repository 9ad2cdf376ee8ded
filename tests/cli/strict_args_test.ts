import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ACCEPTANCE_POLICY, sha256 } from "../engine/_setup.ts";
import { copyFixture, type Fixtures, makeFixtures } from "../fixtures/media.ts";
import { tempDir, vpo } from "./_cli.ts";
import { inTerminal } from "./_terminal.ts";
import { seededDataDir } from "./_stats_seed.ts";

let fixtures: Fixtures;
let seeded: string;
beforeAll(async () => {
  [fixtures, seeded] = await Promise.all([makeFixtures(), seededDataDir()]);
});

/** A usage error as the CLI prints it: the problem, then the usage to read. */
const usageError = (message: string, command: string) => `vpo: ${message}\nRun "${command} --help" for usage.\n`;

describe("a misspelt flag or command is refused before anything is done (exit 2)", () => {
  test("process --dryrun leaves the file byte for byte as it was and opens no database", async () => {
    const dir = tempDir();
    const file = await copyFixture(fixtures, "multi", join(dir, "lib"));
    writeFileSync(join(dir, "policy.yaml"), ACCEPTANCE_POLICY());
    const before = await sha256(file);
    const result = await vpo(["process", file, "--policy", "policy.yaml", "--dryrun"], { dataDir: dir });
    expect(result).toEqual({ code: 2, stdout: "", stderr: usageError("unknown option --dryrun (did you mean --dry-run?)", "vpo process") });
    expect(await sha256(file)).toBe(before);
    expect(existsSync(join(dir, "library.db"))).toBe(false);
  }, 30000);

  test("stats summary --polciy prints no totals", async () => {
    const result = await vpo(["stats", "summary", "--polciy", "strip"], { dataDir: seeded });
    expect(result).toEqual({ code: 2, stdout: "", stderr: usageError("unknown option --polciy (did you mean --policy?)", "vpo stats summary") });
  });

  test("scan --ful scans nothing and records no job", async () => {
    const dir = tempDir();
    await copyFixture(fixtures, "clip", join(dir, "lib"));
    const result = await vpo(["scan", "lib", "--ful"], { dataDir: dir });
    expect(result).toEqual({ code: 2, stdout: "", stderr: usageError("unknown option --ful (did you mean --full?)", "vpo scan") });
    expect(existsSync(join(dir, "library.db"))).toBe(false);
    const jobs = await vpo(["jobs", "list", "--json"], { dataDir: dir });
    expect(JSON.parse(jobs.stdout)).toEqual([]);
  }, 30000);

  test("an unknown command at depth 2 names its group and the nearest command", async () => {
    const [stats, jobs] = await Promise.all([vpo(["stats", "sumary"], { dataDir: seeded }), vpo(["jobs", "shw", "abcd"], { dataDir: seeded })]);
    expect(stats).toEqual({ code: 2, stdout: "", stderr: usageError('unknown command "stats sumary" (did you mean "summary"?)', "vpo stats") });
    expect(jobs).toEqual({ code: 2, stdout: "", stderr: usageError('unknown command "jobs shw" (did you mean "show"?)', "vpo jobs") });
  });

  test("a bad --format is refused before the database is opened, with the nearest format", async () => {
    const dir = tempDir();
    const result = await vpo(["stats", "summary", "--format", "jsn"], { dataDir: dir });
    expect(result).toEqual({ code: 2, stdout: "", stderr: usageError('Invalid --format "jsn": expected table, json, csv (did you mean "json"?)', "vpo stats summary") });
    expect(existsSync(join(dir, "library.db"))).toBe(false);
  });

  test("an argument too many is refused", async () => {
    const result = await vpo(["stats", "summary", "strip"], { dataDir: seeded });
    expect(result).toEqual({ code: 2, stdout: "", stderr: usageError('unexpected argument "strip" ("vpo stats summary" takes no arguments)', "vpo stats summary") });
  });
});

describe("what is valid still works", () => {
  test("global flags before, between and after the command names; --flag=value and --flag value", async () => {
    const elsewhere = tempDir(); // the default database there is empty: only --db finds the runs
    const db = join(seeded, "library.db");
    const lines = [
      ["--db", db, "stats", "summary", "--format", "json"],
      ["stats", "--db", db, "summary", "--format=json"],
      ["stats", "summary", "--format", "json", `--db=${db}`],
      ["--log-level", "error", "stats", "--log-json", "summary", "--db", db, "--format", "json"],
    ];
    const results = await Promise.all(lines.map((args) => vpo(args, { dataDir: elsewhere })));
    results.forEach((r, i) => {
      expect({ args: lines[i], code: r.code, stderr: r.stderr }).toEqual({ args: lines[i], code: 0, stderr: "" });
      expect(JSON.parse(r.stdout).total_files_processed).toBe(8);
    });
  });

  test("a string flag's value may start with a dash", async () => {
    const result = await vpo(["stats", "recent", "--policy", "-odd-"], { dataDir: seeded });
    expect([result.code, result.stderr]).toEqual([65, 'vpo: No statistics found for policy "-odd-". Policies with recorded runs: remux, strip, transcode.\n']);
  });

  test("vpo run passes everything after -- to the command unchecked", async () => {
    const dir = tempDir();
    const file = await copyFixture(fixtures, "multi", dir);
    const command = ["--", "ffmpeg", "-i", "{input}", "-map", "0:v", "-c", "copy", "-f", "matroska", "{output}"];
    const result = await vpo(["run", file, "--policy-name", "-video-only-", "--json", ...command], { dataDir: dir });
    expect([result.code, result.stderr]).toEqual([0, ""]);
    expect(JSON.parse(result.stdout)).toMatchObject({ policy_name: "-video-only-", success: true });
  }, 30000);

  test("a missing required flag names the command whose usage to read", async () => {
    const result = await vpo(["--db", "x.db", "process", "lib", "--dry-run"], { dataDir: tempDir() });
    expect(result).toEqual({ code: 2, stdout: "", stderr: usageError("Missing required argument: --policy", "vpo process") });
  });
});

describe("the usage hint after an error is a command line that works", () => {
  test("global flag values are not taken for command names", async () => {
    const dir = tempDir();
    const [root, nested] = await Promise.all([
      vpo(["--log-file", "./vpo.log", "--profile", "kids", "statz"], { dataDir: dir }),
      vpo(["--log-file", "./vpo.log", "--profile", "kids", "stats", "sumary"], { dataDir: dir }),
    ]);
    expect(root.stderr).toBe(usageError('unknown command "statz" (did you mean "stats"?)', "vpo"));
    expect(nested.stderr).toBe(usageError('unknown command "stats sumary" (did you mean "summary"?)', "vpo stats"));
    // ... and the hint runs; usage names a command by its whole path, as it is typed.
    const [hint, leaf] = await Promise.all([vpo(["stats", "--help"], { dataDir: dir }), vpo(["--profile", "kids", "stats", "trends", "-h"], { dataDir: dir })]);
    expect([hint.code, hint.stdout]).toEqual([0, expect.stringContaining("USAGE vpo stats summary|recent|")]);
    expect([leaf.code, leaf.stdout]).toEqual([0, expect.stringContaining("USAGE vpo stats trends [OPTIONS]")]);
    // `vpo help …` is read as `vpo … --help` (it was an unknown command).
    const [help, helpLeaf] = await Promise.all([vpo(["help"], { dataDir: dir }), vpo(["help", "stats", "trends"], { dataDir: dir })]);
    expect([help.code, help.stdout]).toEqual([0, expect.stringContaining("USAGE vpo [OPTIONS] run|scan|")]);
    expect([helpLeaf.code, helpLeaf.stdout]).toEqual([0, leaf.stdout]);
  });
});

describe("colour only on a terminal, never with NO_COLOR", () => {
  const ESC = "\u001b[";
  // citty colours unless NO_COLOR is "1", TERM is dumb, or TEST or CI is set: clear all of them.
  const colourful = { NO_COLOR: "", TERM: "xterm-256color", TEST: "", CI: "" };

  test("errors and usage written to a pipe have no colour codes", async () => {
    const dir = tempDir();
    const results = await Promise.all([
      vpo(["statz"], { dataDir: dir, env: colourful }),
      vpo(["stats", "sumary"], { dataDir: dir, env: colourful }),
      vpo(["stats", "summary", "--format", "xml"], { dataDir: dir, env: colourful }),
      vpo(["process", "lib"], { dataDir: dir, env: colourful }),
      vpo(["stats", "--help"], { dataDir: dir, env: colourful }),
    ]);
    for (const r of results) expect(r.stdout + r.stderr).not.toContain(ESC);
    expect(results[0]!.stderr).toContain('unknown command "statz"');
  });

  test("on a terminal: colour in usage, none with any NO_COLOR value", async () => {
    const dir = tempDir();
    const [error, help, plainHelp] = await Promise.all([
      inTerminal(["statz"], dir, { env: { ...colourful, NO_COLOR: "yes" } }),
      inTerminal(["stats", "--help"], dir, { env: colourful }),
      inTerminal(["stats", "--help"], dir, { env: { ...colourful, NO_COLOR: "yes" } }),
    ]);
    expect(error.code).toBe(2);
    expect(error.output).toContain('unknown command "statz"');
    expect(error.output).not.toContain(ESC);
    expect(help.output).toContain(ESC);
    expect(plainHelp.output).toContain("USAGE vpo stats");
    expect(plainHelp.output).not.toContain(ESC);
  });
});
