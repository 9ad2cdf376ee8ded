import { existsSync } from "node:fs";
import { defineCommand } from "citty";
import { configFilePath, type ConfigProblem, listProfiles } from "../../core/mod.ts";
import { globalArgs, globalValues, loadCliConfig, repeated } from "../context.ts";
import { colors, renderJson } from "../format.ts";
import { checkSetup, policyFiles } from "../setup_check.ts";
import { reportTools } from "../../engine/mod.ts";
import { effectiveSettings, renderLayers, renderSettings, renderTools } from "../views/settings.ts";

/** Problems grouped under the file (or "environment") they were found in. */
function renderProblems(problems: ConfigProblem[]): string {
  const groups = new Map<string, string[]>();
  for (const p of problems) groups.set(p.where, [...(groups.get(p.where) ?? []), p.message]);
  return [...groups].map(([where, messages]) => `${colors.bold(where)}\n${messages.map((m) => `  - ${m}`).join("\n")}`).join("\n");
}

const validateCommand = defineCommand({
  meta: { name: "validate", description: "Check the config file, profiles, environment, policies and plugins; report every problem (exit 2 if any)" },
  args: { json: { type: "boolean", description: "Print JSON" }, ...globalArgs },
  async run({ args, rawArgs }) {
    const profile = globalValues(args).profile || process.env.VPO_PROFILE || undefined;
    let pluginOptions: Record<string, Record<string, unknown>> | undefined;
    try {
      pluginOptions = loadCliConfig(args).config.plugins.options as typeof pluginOptions;
    } catch {
      pluginOptions = undefined; // its problems are reported below, file by file
    }
    const problems = await checkSetup({ profile, extraPlugins: repeated(rawArgs, "plugin"), pluginOptions });
    const checked = {
      config_file: configFilePath(),
      profiles: profile ? [profile] : listProfiles(),
      policies: policyFiles(),
    };
    if (args.json) process.stdout.write(`${renderJson({ ok: problems.length === 0, checked, problems })}\n`);
    else if (problems.length === 0) {
      const what = `${checked.profiles.length} profile(s), ${checked.policies.length} policy file(s) and the plugins`;
      // No config file is valid too (every setting has its default), but not one that was checked.
      const file = existsSync(checked.config_file) ? checked.config_file : `no config file (${checked.config_file}: defaults)`;
      process.stdout.write(`${colors.green("OK")}: ${file}, ${what} are valid.\n`);
    } else {
      process.stdout.write(`${renderProblems(problems)}\n\n${problems.length} problem${problems.length === 1 ? "" : "s"} found.\n`);
    }
    if (problems.length) process.exitCode = 2;
  },
});

const showCommand = defineCommand({
  meta: { name: "show", description: "The effective settings (with --profile, that profile's), where each value came from, and the ffmpeg and ffprobe in use" },
  args: { json: { type: "boolean", description: "Print JSON" }, ...globalArgs },
  run({ args }) {
    const loaded = loadCliConfig(args);
    const settings = effectiveSettings(loaded);
    const tools = reportTools(loaded.config.tools);
    if (args.json) return void process.stdout.write(`${renderJson({ profile: loaded.profile, config_file: loaded.configPath, tools, settings })}\n`);
    process.stdout.write(`${renderLayers(loaded)}\n${renderTools(tools)}\n\n${renderSettings(settings)}\n`);
  },
});

export const configCommand = defineCommand({
  meta: { name: "config", description: "Check and show the configuration (~/.vpo/config.toml, profiles, VPO_<SECTION>_<KEY>)" },
  subCommands: { validate: validateCommand, show: showCommand },
});
