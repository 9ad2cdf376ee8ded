import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { VpoError } from "../errors.ts";
import { dataDirWith } from "./_test_dir.ts";
import { checkConfigSetup, loadConfig } from "./mod.ts";

/** The VpoError `fn` throws (fails the test when it does not throw one). */
function thrown(fn: () => unknown): VpoError {
  try {
    fn();
  } catch (error) {
    if (error instanceof VpoError) return error;
    throw error;
  }
  throw new Error("expected a VpoError");
}

describe("config file errors name the file, the key and what was expected", () => {
  const cases: [string, string, RegExp][] = [
    ["TOML syntax, with its line and column", `[server]\nport = 1\nhost = "a\n`, /: not valid TOML at line 3, column 10: Unterminated string/],
    ["TOML syntax in a table header", `[server\nport = 1\n`, /: not valid TOML at line 1, column 8: /],
    ["a key defined twice", `[server]\nport = 1\nport = 2\n`, /: not valid TOML at line 3, column 1: Cannot redefine key 'port'$/],
    ["unknown key, with a suggestion", `[server]\nprot = 80\n`, /server\.prot: unknown key "prot" \(did you mean "port"\?\)/],
    ["unknown section", `[servre]\nport = 80\n`, /servre: unknown key "servre" \(did you mean "server"\?\)/],
    ["wrong type", `[server]\nport = "80"\n`, /server\.port: Invalid type: Expected number but received "80"/],
    ["out of range", `[server]\nport = 70000\n`, /server\.port: Invalid value: Expected <=65535/],
    ["not an integer", `[processing]\nworkers = 1.5\n`, /processing\.workers: Invalid integer/],
    ["not one of the choices", `[logging]\nlevel = "loud"\n`, /logging\.level: Invalid type: Expected \("debug" \| "info" \| "warning" \| "error"\)/],
    ["a list expected", `[plugins]\nload = "x.ts"\n`, /plugins\.load: Invalid type: Expected Array/],
    // Past what a timer can wait, the wait ends at once: every ffprobe, every plugin hook "timed out".
    ["a timeout no timer can wait", `[tools]\nprobe_timeout_seconds = 3000000\n`, /tools\.probe_timeout_seconds: expected at most 2073600 seconds \(24 days\): a timer cannot wait longer$/],
    ["a hook budget no timer can wait", `[plugins]\nhook_timeout_ms = 3000000000\n`, /plugins\.hook_timeout_ms: expected at most 2073600000 ms \(24 days\)/],
    // Past 100 years the horizon left the calendar: every scan failed with "Invalid Date".
    ["days past the calendar", `[jobs]\nretention_days = 99999999999\n`, /jobs\.retention_days: expected at most 36500 days \(100 years\)$/],
    ["retention past the calendar", `[retention]\nruns_days = 99999999999\n`, /retention\.runs_days: expected at most 36500 days/],
  ];
  for (const [name, toml, message] of cases) {
    test(`${name}: exit code 2`, () => {
      const { dir, env } = dataDirWith({ "config.toml": toml });
      const error = thrown(() => loadConfig({ env }));
      expect(error.code).toBe("INVALID_CONFIG");
      expect(error.code).toBe("INVALID_CONFIG");
      expect(error.message).toContain(`Invalid config "${join(dir, "config.toml")}"`);
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain("\n");
    });
  }

  test("every problem of a file is reported, not just the first", () => {
    const { env } = dataDirWith({ "config.toml": `[server]\nport = "x"\nhots = "a"\n[jobs]\nretention_days = 0\n` });
    expect((thrown(() => loadConfig({ env })).details as string[]).length).toBe(3);
    expect(checkConfigSetup({ env }).map((p) => p.message.split(":")[0]).sort()).toEqual(["jobs.retention_days", "server.hots", "server.port"]);
  });

  test("a data dir that is a file is bad input (exit 2), not \"nothing recorded yet\" or a failed mkdir", () => {
    const { dir } = dataDirWith({ "config.toml": "" });
    const file = join(dir, "config.toml");
    const error = thrown(() => loadConfig({ env: { VPO_DATA_DIR: file } }));
    expect([error.code, error.message]).toEqual(["INVALID_CONFIG", `The data dir "${file}" (VPO_DATA_DIR) is not a directory: point VPO_DATA_DIR at a folder, or move the file away`]);
  });

  test("a VPO_CONFIG naming a missing file is not-found (exit 64)", () => {
    const { env } = dataDirWith();
    const error = thrown(() => loadConfig({ env: { ...env, VPO_CONFIG: "/nope/config.toml" } }));
    expect([error.code, error.message]).toEqual(["FILE_NOT_FOUND", `Config file "/nope/config.toml" (from VPO_CONFIG) does not exist`]);
  });
});

describe("profile errors", () => {
  test("a missing profile lists the available ones (exit 64)", () => {
    const { env } = dataDirWith({ "profiles/movies.toml": "", "profiles/anime.toml": "" });
    const error = thrown(() => loadConfig({ env, profile: "tv" }));
    expect(error.code).toBe("FILE_NOT_FOUND");
    expect(error.message).toMatch(/Profile "tv" not found in .*; available: anime, movies$/);
  });

  test("an unsafe profile name is an invalid argument (exit 2)", () => {
    const error = thrown(() => loadConfig({ env: dataDirWith().env, profile: "../etc" }));
    expect([error.code, error.message]).toEqual(["INVALID_ARGUMENT", `Invalid profile name "../etc": use letters, digits, "_" and "-" only`]);
  });

  test("an invalid profile names the file and the key", () => {
    const { dir, env } = dataDirWith({ "profiles/p.toml": `descripton = "typo"\n[jobs]\nretention_days = "30"\n` });
    const error = thrown(() => loadConfig({ env, profile: "p" }));
    expect(error.code).toBe("INVALID_CONFIG");
    expect(error.message).toContain(`Invalid profile "${join(dir, "profiles/p.toml")}"`);
    expect(error.message).toContain(`descripton: unknown key "descripton" (did you mean "description"?)`);
    expect(error.message).toContain(`jobs.retention_days: Invalid type: Expected number but received "30"`);
  });
});

describe("environment overrides", () => {
  const load = (vars: Record<string, string>) => loadConfig({ env: { ...dataDirWith().env, ...vars } });

  test("values are coerced to the key's type", () => {
    const { config } = load({ VPO_SERVER_PORT: "9000", VPO_PROCESSING_KEEP_BACKUP: "yes", VPO_SERVER_CORS_ORIGINS: "a, b", VPO_TOOLS_FFMPEG: "/x/ffmpeg" });
    expect([config.server.port, config.processing.keep_backup, config.server.cors_origins, config.tools.ffmpeg]).toEqual([9000, true, ["a", "b"], "/x/ffmpeg"]);
  });

  const bad: [string, Record<string, string>, string][] = [
    ["a number", { VPO_SERVER_PORT: "abc" }, `Invalid environment: VPO_SERVER_PORT: expected an integer, got "abc"`],
    ["an integer", { VPO_PROCESSING_WORKERS: "1.5" }, `Invalid environment: VPO_PROCESSING_WORKERS: expected an integer, got "1.5"`],
    ["an integer even when blank", { VPO_JOBS_RETENTION_DAYS: " " }, `Invalid environment: VPO_JOBS_RETENTION_DAYS: expected an integer, got " "`],
    ["a boolean", { VPO_LOGGING_JSON: "maybe" }, `VPO_LOGGING_JSON="maybe": logging.json: Invalid type: Expected boolean but received "maybe"`],
    ["a choice", { VPO_LOGGING_LEVEL: "loud" }, `VPO_LOGGING_LEVEL="loud": logging.level: Invalid type`],
    ["a known key", { VPO_TOOLS_FFMPG: "/x" }, `VPO_TOOLS_FFMPG: unknown key "tools.ffmpg" (did you mean "VPO_TOOLS_FFMPEG"?)`],
    ["a plain value", { VPO_PLUGINS_OPTIONS: "x" }, `VPO_PLUGINS_OPTIONS: "plugins.options" cannot be set from the environment`],
  ];
  for (const [what, vars, message] of bad) {
    test(`a variable that is not ${what} is refused, naming the variable`, () => {
      const error = thrown(() => load(vars));
      expect(error.code).toBe("INVALID_CONFIG");
      expect(error.message).toContain(message);
      expect(error.message).not.toContain("NaN");
    });
  }

  test("variables that are not config keys (VPO_DATA_DIR, VPO_DEBUG) are left alone", () => {
    expect(() => load({ VPO_DEBUG: "1", VPO_PROFILE: "" })).not.toThrow();
  });
});

describe("checkConfigSetup collects every problem across files", () => {
  test("config file, each bad profile and the environment are all reported", () => {
    const { dir, env } = dataDirWith({
      "config.toml": `[server]\nport = 0\n`,
      "profiles/good.toml": `description = "fine"\n`,
      "profiles/bad.toml": `[jobs]\nretention = 3\n`,
      "profiles/worse.toml": `[jobs\n`,
      "profiles/bad name.toml": "",
    });
    const problems = checkConfigSetup({ env: { ...env, VPO_SERVER_PORT: "x" } });
    expect(problems.map((p) => p.where)).toEqual([
      join(dir, "config.toml"),
      join(dir, "profiles/bad.toml"),
      join(dir, "profiles/bad name.toml"),
      join(dir, "profiles/worse.toml"),
      "environment",
    ]);
  });

  test("with a profile named, only that profile is checked, and a missing one is a problem", () => {
    const { env } = dataDirWith({ "profiles/bad.toml": `x = 1\n` });
    expect(checkConfigSetup({ env, profile: "nope" }).map((p) => p.message)).toEqual([expect.stringMatching(/^not found in .*; available: bad$/)]);
    expect(checkConfigSetup({ env, profile: "bad" })).toHaveLength(1);
  });

  test("nothing to report on an empty data dir", () => {
    expect(checkConfigSetup({ env: dataDirWith().env })).toEqual([]);
  });
});
