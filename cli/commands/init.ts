import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { defineCommand } from "citty";
import { dataDir } from "../../core/mod.ts";
import { globalArgs } from "../context.ts";
import { renderJson } from "../format.ts";

const TEMPLATES = join(import.meta.dir, "../templates");

/** What `vpo init` writes: path in the data dir ← template file. */
export const INIT_FILES: readonly { path: string; template: string }[] = [
  { path: "config.toml", template: "config.toml" },
  { path: "profiles/default.toml", template: "default-profile.toml" },
  { path: "policies/strip-to-english.yaml", template: "policies/strip-to-english.yaml" },
  { path: "policies/anime.yaml", template: "policies/anime.yaml" },
];

export type InitOutcome = "wrote" | "overwrote" | "kept";

/** Writes the starter files into `dir`; an existing file is kept unless `force`. */
export function writeStarterFiles(dir: string, force: boolean): { path: string; outcome: InitOutcome }[] {
  return INIT_FILES.map(({ path, template }) => {
    const target = join(dir, path);
    const exists = existsSync(target);
    if (exists && !force) return { path: target, outcome: "kept" as const };
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, readFileSync(join(TEMPLATES, template), "utf8"));
    return { path: target, outcome: exists ? ("overwrote" as const) : ("wrote" as const) };
  });
}

const NEXT_STEPS = `Next:
  vpo config validate                 check the config, profiles, policies and plugins
  vpo profiles show default           the effective settings and where each came from
  vpo process <file|dir> --policy strip-to-english    process with an example policy
  vpo stats summary                   what processing has saved so far`;

export const initCommand = defineCommand({
  meta: { name: "init", description: "Write a commented config, a default profile and two example policies into the data dir" },
  args: {
    force: { type: "boolean", description: "Overwrite files that already exist" },
    json: { type: "boolean", description: "Print JSON" },
    ...globalArgs,
  },
  run({ args }) {
    const dir = resolve(dataDir());
    const results = writeStarterFiles(dir, Boolean(args.force));
    if (args.json) return void process.stdout.write(`${renderJson({ data_dir: dir, files: results })}\n`);
    const lines = [`Data dir: ${dir}`];
    for (const { path, outcome } of results) {
      lines.push(`  ${outcome.padEnd(9)} ${path.slice(dir.length + 1)}${outcome === "kept" ? " (exists; --force overwrites it)" : ""}`);
    }
    const configEnv = process.env.VPO_CONFIG;
    if (configEnv && resolve(configEnv) !== join(dir, "config.toml")) {
      lines.push(`\nNote: VPO_CONFIG is set, so vpo reads ${configEnv} rather than the config.toml written here.`);
    }
    process.stdout.write(`${lines.join("\n")}\n\n${NEXT_STEPS}\n`);
  },
});
