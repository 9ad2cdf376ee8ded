import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseToml, TomlError } from "smol-toml";
import * as v from "valibot";
import { VpoError, errorMessage } from "../errors.ts";
import { dataDir } from "../paths.ts";
import { describeIssues } from "../validation.ts";
import { type Config, ConfigSchema, type Profile, PROFILE_NAME, ProfileSchema } from "./schema.ts";

type Env = Record<string, string | undefined>;

/**
 * " at line L, column C" of the first TOML error in `text`, or "" if it cannot be told. Bun.TOML's
 * errors carry no position (their line and column are those of the caller), and its messages are
 * the clearer ones; smol-toml, a strict TOML 1.0 parser, finds where.
 */
function tomlErrorPosition(text: string): string {
  try {
    parseToml(text);
  } catch (error) {
    if (error instanceof TomlError) return ` at line ${error.line}, column ${error.column}`;
  }
  return "";
}

/** What checking one TOML file found: the parsed value, or every problem (`key: expected …`). */
export type FileCheck<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/** Parses and validates a TOML file, collecting every problem instead of stopping at the first. */
export function checkTomlFile<S extends v.GenericSchema>(path: string, schema: S): FileCheck<v.InferOutput<S>> {
  const text = readFileSync(path, "utf8");
  let raw: unknown;
  try {
    raw = Bun.TOML.parse(text);
  } catch (error) {
    return { ok: false, problems: [`not valid TOML${tomlErrorPosition(text)}: ${errorMessage(error).replace(/^TOML Parse error: /, "")}`] };
  }
  const result = v.safeParse(schema, raw);
  return result.success ? { ok: true, value: result.output } : { ok: false, problems: describeIssues(result.issues, schema) };
}

function readOrThrow<S extends v.GenericSchema>(path: string, schema: S, what: string): v.InferOutput<S> {
  const check = checkTomlFile(path, schema);
  if (check.ok) return check.value;
  throw new VpoError("INVALID_CONFIG", `Invalid ${what} "${path}": ${check.problems.join("; ")}`, { details: check.problems });
}

/** `$VPO_CONFIG`, else `<data dir>/config.toml` (which need not exist). */
export function configFilePath(env: Env = process.env): string {
  return env.VPO_CONFIG || join(dataDir(env), "config.toml");
}

/** Reads and validates a config file; an error names the file, the key and what was expected. */
export function readConfigFile(path: string): Config {
  return readOrThrow(path, ConfigSchema, "config");
}

export function profilesDir(env: Env = process.env): string {
  return join(dataDir(env), "profiles");
}

/** Names of the profiles in the data dir, sorted. */
export function listProfiles(env: Env = process.env): string[] {
  const dir = profilesDir(env);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith(".toml")).map((f) => f.slice(0, -5)).sort();
}

/** The file of profile `name`; an unsafe name is an invalid argument (exit 2). */
export function profilePath(name: string, env: Env = process.env): string {
  if (!PROFILE_NAME.test(name)) {
    throw new VpoError("INVALID_ARGUMENT", `Invalid profile name "${name}": use letters, digits, "_" and "-" only`);
  }
  return join(profilesDir(env), `${name}.toml`);
}

/** Reads `profiles/<name>.toml`; a missing profile lists the available ones (FILE_NOT_FOUND → exit 64). */
export function readProfile(name: string, env: Env = process.env): Profile {
  const path = profilePath(name, env);
  if (!existsSync(path)) {
    const available = listProfiles(env);
    throw new VpoError(
      "FILE_NOT_FOUND",
      `Profile "${name}" not found in ${profilesDir(env)}; available: ${available.length ? available.join(", ") : "none (vpo init writes a default one)"}`,
    );
  }
  return readOrThrow(path, ProfileSchema, "profile");
}
