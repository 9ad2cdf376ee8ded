/**
 * Finding the ffmpeg and ffprobe executables.
 *
 * Each tool is resolved on its own, in this order:
 * 1. the path given in config (it must exist — a configured path is never silently ignored);
 * 2. `ffmpeg` / `ffprobe` on PATH;
 * 3. the static binaries shipped by the npm packages `@ffmpeg-installer/ffmpeg` and
 *    `@ffprobe-installer/ffprobe`.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { VpoError } from "../core/mod.ts";

export interface ToolsConfig {
  /** Path of the ffmpeg executable; when set it must exist. */
  ffmpeg?: string;
  /** Path of the ffprobe executable; when set it must exist. */
  ffprobe?: string;
}

export interface Tools {
  ffmpeg: string;
  ffprobe: string;
}

export type ToolName = keyof Tools;

const NPM_PACKAGES: Record<ToolName, string> = {
  ffmpeg: "@ffmpeg-installer/ffmpeg",
  ffprobe: "@ffprobe-installer/ffprobe",
};

const require = createRequire(import.meta.url);
const cache = new Map<string, Tools>();

/** The `.path` export of an installer package, or why it could not be used. */
function fromNpm(tool: ToolName): { path: string } | { problem: string } {
  const pkg = NPM_PACKAGES[tool];
  try {
    // The installer packages throw (a plain string) when their platform binary is absent.
    const path = (require(pkg) as { path?: unknown }).path;
    if (typeof path === "string" && existsSync(path)) return { path };
    return { problem: `npm package "${pkg}" points to a missing binary ${JSON.stringify(path)}` };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return { problem: `npm package "${pkg}" is unavailable (${reason})` };
  }
}

/** Where `locateTool` looks after the configured path; replaceable so the not-found path can be tested. */
export interface ToolSources {
  which(name: string): string | null;
  npm(tool: ToolName): { path: string } | { problem: string };
}

const DEFAULT_SOURCES: ToolSources = { which: (name) => Bun.which(name), npm: fromNpm };

/** Finds one tool: configured path, else PATH, else the npm installer package. Uncached. */
export function locateTool(tool: ToolName, configured?: string, sources: ToolSources = DEFAULT_SOURCES): string {
  if (configured !== undefined && configured !== "") {
    if (existsSync(configured)) return configured;
    throw new VpoError("TOOL_MISSING", `Cannot find ${tool}: the configured path "${configured}" does not exist`);
  }
  const onPath = sources.which(tool);
  if (onPath) return onPath;
  const npm = sources.npm(tool);
  if ("path" in npm) return npm.path;
  throw new VpoError(
    "TOOL_MISSING",
    `Cannot find ${tool}: not configured, "${tool}" is not on PATH, and ${npm.problem}. ` +
      `Install ffmpeg or set the ${tool} path in the configuration`,
  );
}

/**
 * Resolves the ffmpeg and ffprobe executables; results are cached per config.
 * Throws VpoError TOOL_MISSING naming what was looked for.
 *
 * @example
 * const { ffmpeg, ffprobe } = resolveTools({ ffprobe: "/opt/ffmpeg/bin/ffprobe" });
 */
export function resolveTools(config: ToolsConfig = {}): Tools {
  const key = JSON.stringify([config.ffmpeg ?? null, config.ffprobe ?? null]);
  const cached = cache.get(key);
  if (cached) return cached;
  const tools = { ffmpeg: locateTool("ffmpeg", config.ffmpeg), ffprobe: locateTool("ffprobe", config.ffprobe) };
  cache.set(key, tools);
  return tools;
}
