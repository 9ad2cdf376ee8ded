import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { checkConfigSetup, checkTomlFile, CONFIG_SECTIONS, ConfigSchema, ProfileSchema, sectionKeys } from "../../core/mod.ts";
import { checkPolicyFile } from "../../cli/setup_check.ts";
import { tempDir, vpo } from "../cli/_cli.ts";

const FILES = ["config.toml", "profiles/default.toml", "policies/strip-to-english.yaml", "policies/anime.yaml"];
const TEMPLATE = join(import.meta.dir, "../../cli/templates/config.toml");

describe("vpo init", () => {
  test("on an empty data dir writes config, default profile and two policies, all valid, and says what next", async () => {
    const dir = tempDir();
    const { code, stdout, stderr } = await vpo(["init"], { dataDir: dir });
    expect([code, stderr]).toEqual([0, ""]);
    expect(stdout).toContain(`Data dir: ${dir}`);
    for (const file of FILES) expect(stdout).toContain(`  wrote     ${file}`);
    expect(stdout).toContain("vpo config validate");

    expect(checkConfigSetup({ env: { VPO_DATA_DIR: dir } })).toEqual([]);
    expect(checkTomlFile(join(dir, "profiles/default.toml"), ProfileSchema).ok).toBe(true);
    for (const policy of FILES.slice(2)) expect(await checkPolicyFile(join(dir, policy))).toEqual([]);
    const validate = await vpo(["config", "validate"], { dataDir: dir });
    expect([validate.code, validate.stdout]).toEqual([0, expect.stringContaining("2 policy file(s)")]);
  });

  test("on an existing data dir keeps existing files and writes the missing ones; --force overwrites", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "profiles"));
    writeFileSync(join(dir, "config.toml"), "[server]\nport = 9000\n");
    writeFileSync(join(dir, "profiles/default.toml"), 'description = "mine"\n');
    const first = await vpo(["init"], { dataDir: dir });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("  kept      config.toml (exists; --force overwrites it)");
    expect(first.stdout).toContain("  kept      profiles/default.toml");
    expect(first.stdout).toContain("  wrote     policies/anime.yaml");
    expect(readFileSync(join(dir, "config.toml"), "utf8")).toBe("[server]\nport = 9000\n");

    const forced = JSON.parse((await vpo(["init", "--force", "--json"], { dataDir: dir })).stdout);
    expect(forced.files.map((f: { outcome: string }) => f.outcome)).toEqual(["overwrote", "overwrote", "overwrote", "overwrote"]);
    expect(readFileSync(join(dir, "config.toml"), "utf8")).toBe(readFileSync(TEMPLATE, "utf8"));
  });

  test("the config template stays valid with every commented-out setting switched on", () => {
    const dir = tempDir();
    const uncommented = readFileSync(TEMPLATE, "utf8").replace(/^# ?(\[[a-z_.]+\]|[a-z_]+ = .*)$/gm, "$1");
    expect(uncommented).toContain('\nffmpeg = "/usr/bin/ffmpeg"\n');
    expect(uncommented).toContain("\n[plugins.options.hash]\nfull = false\n");
    writeFileSync(join(dir, "config.toml"), uncommented);
    const check = checkTomlFile(join(dir, "config.toml"), ConfigSchema);
    expect(check).toMatchObject({ ok: true });
    // …and documents every key the schema accepts.
    const documented = check.ok ? (check.value as Record<string, Record<string, unknown>>) : {};
    const missing = CONFIG_SECTIONS.flatMap((s) => Object.keys(sectionKeys(s)).filter((k) => documented[s]?.[k] === undefined).map((k) => `${s}.${k}`));
    expect(missing).toEqual([]);
  });
});
