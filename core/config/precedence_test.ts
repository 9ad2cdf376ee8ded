import { describe, expect, test } from "bun:test";
import { homedir } from "node:os";
import { join } from "node:path";
import { dataDirWith } from "./_test_dir.ts";
import { type Config, loadConfig } from "./mod.ts";

/**
 * Every combination of the four layers above the default, for three settings: the highest
 * layer present must win, and `sources` must say which one it was.
 */
const LAYERS = ["config", "profile", "env", "flag"] as const;
type LayerName = (typeof LAYERS)[number] | "default";

const SETTINGS = [
  {
    key: "logging.level",
    default: "warning",
    values: { config: "error", profile: "info", env: "debug", flag: "error" },
    toml: (v: string) => `[logging]\nlevel = "${v}"\n`,
    env: (v: string) => ({ VPO_LOGGING_LEVEL: v }),
    flag: (v: string): Config => ({ logging: { level: v as "info" } }),
  },
  {
    key: "database.path",
    default: "library.db",
    values: { config: "/db/config.db", profile: "/db/profile.db", env: "/db/env.db", flag: "/db/flag.db" },
    toml: (v: string) => `[database]\npath = "${v}"\n`,
    env: (v: string) => ({ VPO_DATABASE_PATH: v }),
    flag: (v: string): Config => ({ database: { path: v } }),
  },
  {
    key: "jobs.retention_days",
    default: 90,
    values: { config: 30, profile: 14, env: 7, flag: 3 },
    toml: (v: number) => `[jobs]\nretention_days = ${v}\n`,
    env: (v: number) => ({ VPO_JOBS_RETENTION_DAYS: String(v) }),
    flag: (v: number): Config => ({ jobs: { retention_days: v } }),
  },
] as const;

function load(setting: (typeof SETTINGS)[number], present: readonly LayerName[]) {
  const value = (layer: (typeof LAYERS)[number]) => setting.values[layer] as never;
  const { dir, env } = dataDirWith({
    ...(present.includes("config") ? { "config.toml": setting.toml(value("config")) } : {}),
    "profiles/p.toml": present.includes("profile") ? setting.toml(value("profile")) : `description = "empty"\n`,
  });
  const loaded = loadConfig({
    env: { ...env, ...(present.includes("env") ? setting.env(value("env")) : {}) },
    profile: "p",
    flags: present.includes("flag") ? setting.flag(value("flag")) : undefined,
  });
  const [section, key] = setting.key.split(".") as [keyof Config, string];
  return { dir, value: (loaded.config[section] as Record<string, unknown>)[key], source: loaded.sources[setting.key] };
}

const combos: LayerName[][] = Array.from({ length: 16 }, (_, mask) => LAYERS.filter((_, i) => mask & (1 << i)));

describe("precedence: flag > environment > profile > config file > default", () => {
  for (const setting of SETTINGS) {
    test(`${setting.key}: the highest layer present wins, in all 16 combinations`, () => {
      for (const present of combos) {
        const top = present.at(-1) ?? "default";
        const { dir, value, source } = load(setting, present);
        const expected = top === "default" ? setting.default : setting.values[top];
        const shown = setting.key === "database.path" && top === "default" ? join(dir, "library.db") : expected;
        expect({ present, value, source }).toEqual({ present, value: shown, source: top });
      }
    });
  }

  test("plugin options merge per plugin: a profile tunes one plugin and keeps the config file's others", () => {
    const { env } = dataDirWith({
      "config.toml": `[plugins.options.hash]\nfull = true\n[plugins.options.extra]\nlevel = 1\n`,
      "profiles/p.toml": `[plugins.options.extra]\nlevel = 2\n`,
    });
    const loaded = loadConfig({ env, profile: "p" });
    expect(loaded.config.plugins.options).toEqual({ hash: { full: true }, extra: { level: 2 } });
    expect(loaded.sources["plugins.options.hash"]).toBe("config");
    expect(loaded.sources["plugins.options.extra"]).toBe("profile");
  });

  test("relative paths: from the data dir in files, from the working dir as flags", () => {
    const { dir, env } = dataDirWith({ "config.toml": `[database]\npath = "sub/lib.db"\n[logging]\nfile = "logs/vpo.log"\n` });
    expect(loadConfig({ env }).config.database.path).toBe(join(dir, "sub/lib.db"));
    expect(loadConfig({ env }).config.logging.file).toBe(join(dir, "logs/vpo.log"));
    expect(loadConfig({ env, flags: { database: { path: "x.db" } } }).config.database.path).toBe(join(process.cwd(), "x.db"));
  });

  test("~/ in a file or a variable is the home folder, as a shell would read it (it made a folder named \"~\" in the data dir)", () => {
    const { env } = dataDirWith({ "config.toml": `[database]\npath = "~/media/lib.db"\n[libraries]\nfilms = "~/Films"\n[tools]\nffmpeg = "~/bin/ffmpeg"\nffprobe = "ffprobe"\n` });
    const { config } = loadConfig({ env: { ...env, VPO_LOGGING_FILE: "~/vpo.log" } });
    expect([config.database.path, config.logging.file, config.libraries.films]).toEqual([join(homedir(), "media/lib.db"), join(homedir(), "vpo.log"), join(homedir(), "Films")]);
    expect([config.tools.ffmpeg, config.tools.ffprobe]).toEqual([join(homedir(), "bin/ffmpeg"), "ffprobe"]);
  });

  test("VPO_PROFILE selects a profile; --profile overrides it", () => {
    const { env } = dataDirWith({ "profiles/a.toml": `[jobs]\nretention_days = 1\n`, "profiles/b.toml": `[jobs]\nretention_days = 2\n` });
    expect(loadConfig({ env: { ...env, VPO_PROFILE: "a" } }).config.jobs.retention_days).toBe(1);
    expect(loadConfig({ env: { ...env, VPO_PROFILE: "a" }, profile: "b" }).profile?.name).toBe("b");
  });

  test("VPO_CONFIG names the config file instead of <data dir>/config.toml", () => {
    const other = dataDirWith({ "elsewhere.toml": `[server]\nport = 9000\n` });
    const { env } = dataDirWith({ "config.toml": `[server]\nport = 1234\n` });
    const loaded = loadConfig({ env: { ...env, VPO_CONFIG: join(other.dir, "elsewhere.toml") } });
    expect(loaded.config.server.port).toBe(9000);
    expect(loaded.configPath).toBe(join(other.dir, "elsewhere.toml"));
  });
});
