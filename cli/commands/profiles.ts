import { defineCommand } from "citty";
import { checkTomlFile, errorMessage, listProfiles, profilePath, ProfileSchema, readProfile } from "../../core/mod.ts";
import { globalArgs, loadCliConfig } from "../context.ts";
import { renderJson, renderTable } from "../format.ts";
import { effectiveSettings, renderLayers, renderSettings } from "../views/settings.ts";

interface ProfileSummary {
  name: string;
  path: string;
  description: string | null;
  default_policy: string | null;
  /** Problems found in the file; empty when it is valid. */
  problems: string[];
}

function summarize(name: string): ProfileSummary {
  let path = "";
  try {
    path = profilePath(name);
  } catch (error) {
    return { name, path, description: null, default_policy: null, problems: [errorMessage(error)] };
  }
  const check = checkTomlFile(path, ProfileSchema);
  if (!check.ok) return { name, path, description: null, default_policy: null, problems: check.problems };
  return { name, path, description: check.value.description ?? null, default_policy: check.value.default_policy ?? null, problems: [] };
}

const listCommand = defineCommand({
  meta: { name: "list", description: "Profiles in ~/.vpo/profiles/: name, description, default policy" },
  args: { json: { type: "boolean", description: "Print JSON" }, ...globalArgs },
  run({ args }) {
    const profiles = listProfiles().map(summarize);
    if (args.json) return void process.stdout.write(`${renderJson(profiles)}\n`);
    if (profiles.length === 0) return void process.stdout.write("No profiles yet. `vpo init` writes a default one.\n");
    const rows = profiles.map((p) => [
      p.name,
      p.problems.length ? `invalid: ${p.problems[0]}${p.problems.length > 1 ? ` (+${p.problems.length - 1} more)` : ""}` : (p.description ?? "—"),
      p.default_policy ?? "—",
    ]);
    process.stdout.write(`${renderTable(["Name", "Description", "Default policy"], rows)}\n`);
    if (profiles.some((p) => p.problems.length)) process.stdout.write("\nRun `vpo config validate` for every problem.\n");
  },
});

const showCommand = defineCommand({
  meta: { name: "show", description: "The effective settings with this profile, and where each value came from" },
  args: {
    name: { type: "positional", required: true, description: "Profile name" },
    json: { type: "boolean", description: "Print JSON" },
    ...globalArgs,
  },
  run({ args }) {
    readProfile(args.name); // a missing profile lists the available ones (exit 64); an invalid one names the key (exit 2)
    const loaded = loadCliConfig(args, { profile: args.name });
    const settings = effectiveSettings(loaded);
    if (args.json) {
      return void process.stdout.write(`${renderJson({ profile: loaded.profile, config_file: loaded.configPath, settings })}\n`);
    }
    process.stdout.write(`${renderLayers(loaded)}\n\n${renderSettings(settings)}\n`);
  },
});

export const profilesCommand = defineCommand({
  meta: { name: "profiles", description: "Named partial configs: vpo --profile NAME … (or VPO_PROFILE)" },
  subCommands: { list: listCommand, show: showCommand },
});
