import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir, vpo } from "../cli/_cli.ts";

/** A data dir with a config file and the given profiles. */
function setup(profiles: Record<string, string>, config = "[jobs]\nretention_days = 30\n[server]\nport = 8000\n"): string {
  const dir = tempDir();
  mkdirSync(join(dir, "profiles"));
  writeFileSync(join(dir, "config.toml"), config);
  for (const [name, text] of Object.entries(profiles)) writeFileSync(join(dir, "profiles", `${name}.toml`), text);
  return dir;
}

describe("vpo profiles", () => {
  test("list shows each profile's description and default policy, and marks an invalid one", async () => {
    const dir = setup({ movies: 'description = "Films"\ndefault_policy = "strip"\n', broken: "[jobs]\nretension_days = 1\n" });
    const list = await vpo(["profiles", "list"], { dataDir: dir });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/movies\s+Films\s+strip/);
    expect(list.stdout).toMatch(/broken\s+invalid: jobs\.retension_days: unknown key "retension_days" \(did you mean "retention_days"\?\)/);
    const json = JSON.parse((await vpo(["profiles", "list", "--json"], { dataDir: dir })).stdout);
    expect(json.map((p: { name: string; problems: string[] }) => [p.name, p.problems.length])).toEqual([["broken", 1], ["movies", 0]]);
  });

  test("show gives the merged settings and the layer each came from: flag > env > profile > config > default", async () => {
    const dir = setup({ anime: 'description = "Anime"\n[server]\nport = 8100\nhost = "0.0.0.0"\n[logging]\nlevel = "info"\n' });
    const { code, stdout } = await vpo(["profiles", "show", "anime", "--json", "--log-level", "error"], {
      dataDir: dir,
      env: { VPO_SERVER_PORT: "8200", VPO_SERVER_TOKEN: "s3cret" },
    });
    expect(code).toBe(0);
    const { profile, settings } = JSON.parse(stdout);
    expect(profile).toEqual({ name: "anime", description: "Anime", default_policy: null });
    expect(settings).toMatchObject({
      "logging.level": { value: "error", source: "flag" },
      "server.port": { value: 8200, source: "env" },
      "server.token": { value: "********", source: "env" },
      "server.host": { value: "0.0.0.0", source: "profile" },
      "jobs.retention_days": { value: 30, source: "config" },
      "processing.workers": { value: 1, source: "default" },
    });
    expect(stdout).not.toContain("s3cret");
  });

  test("a missing profile lists the available ones (exit 64), with show and with --profile", async () => {
    const dir = setup({ movies: "", tv: "" });
    const show = await vpo(["profiles", "show", "anime"], { dataDir: dir });
    expect(show.code).toBe(64);
    expect(show.stderr).toMatch(/^vpo: Profile "anime" not found in .*; available: movies, tv\n$/);
    const global = await vpo(["--profile", "anime", "jobs", "list"], { dataDir: dir });
    expect([global.code, global.stderr]).toEqual([64, show.stderr]);
    expect((await vpo(["jobs", "list"], { dataDir: dir, env: { VPO_PROFILE: "anime" } })).code).toBe(64);
  });

  test("an invalid profile names the file and the key (exit 2)", async () => {
    const dir = setup({ bad: "[server]\nport = 99999\n" });
    const { code, stderr } = await vpo(["profiles", "show", "bad"], { dataDir: dir });
    expect(code).toBe(2);
    expect(stderr).toBe(`vpo: Invalid profile "${join(dir, "profiles/bad.toml")}": server.port: Invalid value: Expected <=65535 but received 99999\n`);
  });
});

describe("vpo config validate", () => {
  test("reports every problem in config, profiles, environment, policies and plugins (exit 2)", async () => {
    const dir = setup({ ok: 'description = "fine"\n', bad: "default_polcy = 1\n" }, '[server]\nport = "x"\n[plugins]\nload = ["./missing-plugin.ts"]\n');
    mkdirSync(join(dir, "policies"));
    writeFileSync(join(dir, "policies/good.yaml"), "schema_version: 13\nphases:\n  - name: strip\n    filter_attachments: { remove_all: true }\n");
    writeFileSync(join(dir, "policies/typo.yaml"), "schema_version: 13\nphases:\n  - name: strip\n    keep_audio: { languages: [english] }\n");
    writeFileSync(join(dir, "policies/broken.yml"), "phases: [\n");
    const { code, stdout } = await vpo(["config", "validate", "--json"], { dataDir: dir, env: { VPO_JOBS_RETENTION_DAYS: "-1" } });
    expect(code).toBe(2);
    const report = JSON.parse(stdout);
    const where = (w: string) => report.problems.filter((p: { where: string }) => p.where === w).map((p: { message: string }) => p.message);
    expect(report.ok).toBe(false);
    expect(where(join(dir, "config.toml"))).toEqual([
      `server.port: Invalid type: Expected number but received "x"`,
      expect.stringContaining(`Cannot load plugin "./missing-plugin.ts": no file at`), // checked although the file has other problems
    ]);
    expect(where(join(dir, "profiles/bad.toml"))).toEqual([expect.stringContaining(`unknown key "default_polcy" (did you mean "default_policy"?)`)]);
    expect(where("environment")).toEqual([expect.stringContaining("VPO_JOBS_RETENTION_DAYS=\"-1\": jobs.retention_days")]);
    expect(where(join(dir, "policies/typo.yaml"))).toEqual([expect.stringContaining("phases[0].keep_audio.languages[0]")]);
    expect(where(join(dir, "policies/broken.yml"))).toEqual([expect.stringContaining("YAML syntax error")]);
    expect(where(join(dir, "policies/good.yaml"))).toEqual([]);

    const text = await vpo(["config", "validate"], { dataDir: dir, env: { VPO_JOBS_RETENTION_DAYS: "-1" } });
    expect(text.code).toBe(2);
    expect(text.stdout).toContain(`${report.problems.length} problems found.`);
  });

  test("without a config file it says the defaults were checked, not that a file it never found is valid", async () => {
    const dir = tempDir();
    const { code, stdout } = await vpo(["config", "validate"], { dataDir: dir });
    expect([code, stdout]).toEqual([0, `OK: no config file (${join(dir, "config.toml")}: defaults), 0 profile(s), 0 policy file(s) and the plugins are valid.\n`]);
    writeFileSync(join(dir, "config.toml"), "[server]\nport = 8000\n");
    expect((await vpo(["config", "validate"], { dataDir: dir })).stdout).toStartWith(`OK: ${join(dir, "config.toml")}, 0 profile(s)`);
  });

  test("--profile checks only that profile", async () => {
    const dir = setup({ ok: 'description = "fine"\n', bad: "x = 1\n" });
    expect((await vpo(["config", "validate", "--profile", "ok"], { dataDir: dir })).code).toBe(0);
    expect((await vpo(["config", "validate", "--profile", "bad"], { dataDir: dir })).code).toBe(2);
  });
});
