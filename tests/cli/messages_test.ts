/**
 * Mistakes a new user makes get one clear line naming what was wrong and where, exit 2, and
 * nothing else on stderr: no stack trace, no log lines before it.
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir, vpo } from "./_cli.ts";

describe("one line, exit 2", () => {
  test("a TOML error in config.toml names the file, line and column", async () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, "config.toml"), `[server]\nport = 8321\nhost = "127.0.0.1\n`);
    const shown = await vpo(["stats", "summary"], { dataDir });
    expect(shown).toEqual({
      code: 2,
      stdout: "",
      stderr: `vpo: Invalid config "${join(dataDir, "config.toml")}": not valid TOML at line 3, column 18: Unterminated string; newlines must be escaped in basic strings\n`,
    });
  });

  test("a TOML error in a profile names the profile's file, line and column", async () => {
    const dataDir = tempDir();
    mkdirSync(join(dataDir, "profiles"));
    writeFileSync(join(dataDir, "profiles/movies.toml"), `description = "films"\n[processing]\nworkers = = 2\n`);
    const shown = await vpo(["--profile", "movies", "config", "show"], { dataDir });
    expect(shown.code).toBe(2);
    expect(shown.stderr).toBe(`vpo: Invalid profile "${join(dataDir, "profiles/movies.toml")}": not valid TOML at line 3, column 11: Expected a value but found '='\n`);
  });

  test("a VPO_<SECTION>_<KEY> that is not a number says what it got", async () => {
    const shown = await vpo(["config", "show"], { dataDir: tempDir(), env: { VPO_SERVER_PORT: "abc" } });
    expect(shown).toEqual({ code: 2, stdout: "", stderr: `vpo: Invalid environment: VPO_SERVER_PORT: expected an integer, got "abc"\n` });
  });

  test("vpo serve on a busy port says so and nothing else, even at debug level", async () => {
    const busy = Bun.serve({ hostname: "127.0.0.1", port: 0, reusePort: false, fetch: () => new Response("taken") });
    try {
      for (const level of ["warning", "debug"]) {
        const shown = await vpo(["--log-level", level, "serve", "--port", String(busy.port)], { dataDir: tempDir() });
        expect(shown).toEqual({ code: 2, stdout: "", stderr: `vpo: Cannot listen on 127.0.0.1:${busy.port}: the port is already in use\n` });
      }
    } finally {
      busy.stop(true);
    }
  });
});
