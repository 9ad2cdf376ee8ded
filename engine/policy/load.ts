/**
 * Reading policy files: YAML, checked against PolicySchema, errors that name the file, the key
 * path (`phases[0].keep_audio.languages[1]`) and what was expected.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, extname, join, resolve } from "node:path";
import * as v from "valibot";
import { dataDir, describeIssues, didYouMean, VpoError } from "../../core/mod.ts";
import { type Policy, PolicySchema } from "./schema.ts";

export interface LoadedPolicy {
  policy: Policy;
  /** What runs are recorded under: the policy's `name`, else its file name without extension. */
  name: string;
  path: string;
  /**
   * `sha256:<hex>` of what the policy does (its parsed content, keys sorted): the same rules give
   * the same digest however the file is laid out, and any change of a rule gives another.
   */
  digest: string;
  /** The policy's text as read (a queue job carries it, so every machine applies the same rules). */
  text?: string;
}

/** JSON with object keys sorted, so equal content serialises equally. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** The digest of a parsed policy (see LoadedPolicy.digest). */
export function policyDigest(policy: Policy): string {
  const { name: _name, description: _description, ...rules } = policy as Policy & { description?: unknown };
  return `sha256:${new Bun.CryptoHasher("sha256").update(canonical(rules)).digest("hex")}`;
}

/** `<data dir>/policies`: where policies given by name live. */
export function policiesDir(): string {
  return join(dataDir(), "policies");
}

/** `phases.0.keep_audio` → `phases[0].keep_audio` (the form rule references use). */
function bracketPath(line: string): string {
  const colon = line.indexOf(": ");
  if (colon < 0) return line;
  return line.slice(0, colon).replace(/\.(\d+)(?=\.|$)/g, "[$1]") + line.slice(colon);
}

/** Checks that need the whole policy: languages must come from the phase or from config. */
function crossChecks(policy: Policy): string[] {
  const problems: string[] = [];
  policy.phases.forEach((phase, i) => {
    if (phase.keep_audio && !phase.keep_audio.languages && !policy.config.audio_languages) {
      problems.push(`phases[${i}].keep_audio.languages: required, because config.audio_languages is not set`);
    }
    const subs = phase.keep_subtitles;
    if (subs && !subs.remove_all && !subs.languages && !policy.config.subtitle_languages) {
      problems.push(`phases[${i}].keep_subtitles.languages: required, because config.subtitle_languages is not set (or set remove_all: true)`);
    }
  });
  return problems;
}

/**
 * Parses policy text; `source` names it in errors. Throws VpoError INVALID_CONFIG.
 *
 * @example parsePolicy("schema_version: 13\nphases:\n  - name: strip\n    filter_attachments: { remove_all: true }\n", "inline")
 */
export function parsePolicy(text: string, source: string): Policy {
  const fail = (problems: string[]) => {
    throw new VpoError("INVALID_CONFIG", `Cannot read policy "${source}": ${problems.join("; ")}`, { details: problems });
  };
  // Loaded when a policy is read: `vpo run` and the stats commands never need the YAML parser (7–15 ms).
  const { parseDocument } = require("yaml") as typeof import("yaml");
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) fail(doc.errors.map((e) => `YAML syntax error: ${e.message.split("\n")[0]!.replace(/:$/, "")}`));
  let input: unknown;
  try {
    input = doc.toJS();
  } catch (error) {
    // Aliases expanded past the parser's limit (a "billion laughs"): a problem of this file.
    fail([`YAML: ${(error as Error).message}`]);
  }
  if (input === null || input === undefined) fail(["the file is empty; expected schema_version: 13 and a list of phases"]);
  const parsed = v.safeParse(PolicySchema, input);
  if (!parsed.success) fail(describeIssues(parsed.issues, PolicySchema).map(bracketPath));
  const policy = (parsed as { output: Policy }).output;
  const problems = crossChecks(policy);
  if (problems.length > 0) fail(problems);
  return policy;
}

/** Policy names available in the policies dir. */
function knownNames(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => basename(f, extname(f)));
}

/**
 * Finds a policy given as a path (anything with a slash or a .yaml/.yml extension, or an
 * existing file) or as a name looked up in `<data dir>/policies/<name>.yaml|yml`.
 */
export function resolvePolicyPath(ref: string, dir: string = policiesDir()): string {
  const looksLikePath = ref.includes("/") || ref.includes("\\") || /\.ya?ml$/i.test(ref);
  if (looksLikePath || (existsSync(ref) && statSync(ref).isFile())) {
    const path = resolve(ref);
    if (!existsSync(path)) throw new VpoError("FILE_NOT_FOUND", `No such policy file: "${path}"`);
    if (statSync(path).isDirectory()) throw new VpoError("INVALID_ARGUMENT", `Policy "${path}" is a directory: give a policy file (.yaml) or the name of one`);
    return path;
  }
  for (const ext of [".yaml", ".yml"]) {
    const candidate = join(dir, `${ref}${ext}`);
    if (existsSync(candidate)) return candidate;
  }
  const names = knownNames(dir);
  const hint = didYouMean(ref, names) || (names.length ? ` (available: ${names.join(", ")})` : "");
  throw new VpoError("FILE_NOT_FOUND", `No policy named "${ref}": looked for ${join(dir, `${ref}.yaml`)} and .yml${hint}`);
}

/** Loads and validates a policy by path or name. */
export function loadPolicy(ref: string, dir?: string): LoadedPolicy {
  const path = resolvePolicyPath(ref, dir);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new VpoError("FILE_NOT_FOUND", `Cannot read policy "${path}": ${(error as Error).message}`);
  }
  const policy = parsePolicy(text, path);
  return { policy, path, name: policy.name ?? basename(path, extname(path)), digest: policyDigest(policy), text };
}
