import { existsSync } from "node:fs";
import { join } from "node:path";
import { checkEnvLayer } from "./env.ts";
import { checkTomlFile, configFilePath, listProfiles, profilesDir } from "./files.ts";
import { ConfigSchema, PROFILE_NAME, ProfileSchema } from "./schema.ts";

type Env = Record<string, string | undefined>;

/** One problem found by a check: where (a file or "environment") and what is wrong there. */
export interface ConfigProblem {
  where: string;
  message: string;
}

/**
 * Checks the config file, the profiles (only `profile` when given, else every one) and the
 * `VPO_<SECTION>_<KEY>` environment, and returns every problem found rather than the first.
 * An empty list means `loadConfig` will succeed with these inputs.
 */
export function checkConfigSetup(options: { env?: Env; profile?: string } = {}): ConfigProblem[] {
  const env = options.env ?? process.env;
  const problems: ConfigProblem[] = [];
  const add = (where: string, messages: string[]) => problems.push(...messages.map((message) => ({ where, message })));

  const configPath = configFilePath(env);
  if (existsSync(configPath)) {
    const check = checkTomlFile(configPath, ConfigSchema);
    if (!check.ok) add(configPath, check.problems);
  } else if (env.VPO_CONFIG) {
    add(configPath, ["does not exist (named by VPO_CONFIG)"]);
  }

  const wanted = options.profile || env.VPO_PROFILE;
  const dir = profilesDir(env);
  if (wanted && !PROFILE_NAME.test(wanted)) {
    add(`profile "${wanted}"`, [`invalid name: use letters, digits, "_" and "-" only`]);
  } else if (wanted && !existsSync(join(dir, `${wanted}.toml`))) {
    const available = listProfiles(env);
    add(`profile "${wanted}"`, [`not found in ${dir}; available: ${available.length ? available.join(", ") : "none"}`]);
  }
  const names = wanted ? (PROFILE_NAME.test(wanted) ? [wanted] : []) : listProfiles(env);
  for (const name of names) {
    const path = join(dir, `${name}.toml`);
    if (!existsSync(path)) continue;
    if (!PROFILE_NAME.test(name)) {
      add(path, [`profile name "${name}" cannot be used with --profile: use letters, digits, "_" and "-" only`]);
      continue;
    }
    const check = checkTomlFile(path, ProfileSchema);
    if (!check.ok) add(path, check.problems);
  }
  add("environment", checkEnvLayer(env).problems);
  return problems;
}
