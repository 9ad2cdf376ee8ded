import * as v from "valibot";
import { didYouMean } from "../did_you_mean.ts";
import { VpoError } from "../errors.ts";
import { describeIssues } from "../validation.ts";
import { CONFIG_SECTIONS, type Config, ConfigSchema, type ConfigSection, sectionKeys } from "./schema.ts";

type Env = Record<string, string | undefined>;

/** Every numeric setting is a whole number; anything else is refused before the schema sees a NaN. */
const INTEGER = /^\s*[+-]?\d+\s*$/;

/** Turns the text of an environment variable into the type its key expects. */
function coerce(raw: string, type: string): unknown {
  if (type === "number") return Number(raw); // only after INTEGER said it is one
  if (type === "boolean") return /^(1|true|yes|on)$/i.test(raw) ? true : /^(0|false|no|off)$/i.test(raw) ? false : raw;
  if (type === "array") return raw.split(",").map((s) => s.trim()).filter(Boolean);
  return raw;
}

/**
 * `VPO_<SECTION>_<KEY>` overrides, coerced to each key's type, with every problem collected:
 * a bad value names the variable and what was expected; a variable naming a known section but
 * an unknown key is refused like an unknown key in the file (with a did-you-mean).
 * Record-valued keys (`plugins.options`) cannot be set from the environment.
 */
export function checkEnvLayer(env: Env = process.env): { values: Config; problems: string[] } {
  const values: Record<string, Record<string, unknown>> = {};
  const problems: string[] = [];
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith("VPO_") || raw === undefined || raw === "") continue;
    const rest = name.slice(4).toLowerCase();
    const section = CONFIG_SECTIONS.find((s) => rest.startsWith(`${s}_`)) as ConfigSection | undefined;
    if (!section) continue; // VPO_DATA_DIR, VPO_CONFIG, VPO_PROFILE and friends are not config keys
    const key = rest.slice(section.length + 1);
    const keys = sectionKeys(section);
    const type = keys[key];
    if (type === "record") {
      problems.push(`${name}: "${section}.${key}" cannot be set from the environment; set it in config.toml or a profile`);
      continue;
    }
    if (!type) {
      const settable = Object.keys(keys).filter((k) => keys[k] !== "record").map((k) => `VPO_${section}_${k}`.toUpperCase());
      problems.push(`${name}: unknown key "${section}.${key}"${didYouMean(name, settable)}`);
      continue;
    }
    if (type === "number" && !INTEGER.test(raw)) {
      problems.push(`${name}: expected an integer, got ${JSON.stringify(raw)}`);
      continue;
    }
    const candidate = { [section]: { [key]: coerce(raw, type) } };
    const result = v.safeParse(ConfigSchema, candidate);
    if (result.success) (values[section] ??= {})[key] = (result.output as Record<string, Record<string, unknown>>)[section]![key];
    else problems.push(...describeIssues(result.issues, ConfigSchema).map((p) => `${name}="${raw}": ${p}`));
  }
  return { values: values as Config, problems };
}

/** The environment layer; throws INVALID_CONFIG listing every bad `VPO_<SECTION>_<KEY>`. */
export function envLayer(env: Env = process.env): Config {
  const { values, problems } = checkEnvLayer(env);
  if (problems.length) throw new VpoError("INVALID_CONFIG", `Invalid environment: ${problems.join("; ")}`, { details: problems });
  return values;
}
