/**
 * Finding the ffmpeg and ffprobe executables.
 *
 * Each tool is resolved on its own:
 * 1. the path given in config (it must exist — a configured path is never silently ignored);
 * 2. else the newer of `ffmpeg` / `ffprobe` on PATH and the static binaries shipped by the npm
 *    packages `@ffmpeg-installer/ffmpeg` and `@ffprobe-installer/ffprobe` (builds compared by
 *    libavutil version, see tool_versions.ts; the npm build when they cannot be told apart —
 *    it is the one the tests run on);
 * 3. else whichever of the two exists.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { VpoError } from "../core/mod.ts";
import { compareBuilds, describeBuild, type ToolVersion, toolVersion } from "./tool_versions.ts";

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

/** Where a tool came from: `[tools]` in the config, PATH, or the npm package. */
export type ToolSource = "config" | "path" | "npm";

export interface LocatedTool {
  path: string;
  source: ToolSource;
  /** Why this one, when PATH and the npm package both had one. */
  reason?: string;
}

const NPM_PACKAGES: Record<ToolName, string> = {
  ffmpeg: "@ffmpeg-installer/ffmpeg",
  ffprobe: "@ffprobe-installer/ffprobe",
};

const require = createRequire(import.meta.url);

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

/** Where `locateTool` looks after the configured path; replaceable so each branch can be tested. */
export interface ToolSources {
  which(name: string): string | null;
  npm(tool: ToolName): { path: string } | { problem: string };
  version(path: string): ToolVersion | null;
}

const DEFAULT_SOURCES: ToolSources = { which: (name) => Bun.which(name), npm: fromNpm, version: toolVersion };

/** Finds one tool: configured path, else the newer of PATH's and the npm package's. Uncached. */
export function locateTool(tool: ToolName, configured?: string, sources: ToolSources = DEFAULT_SOURCES): LocatedTool {
  if (configured !== undefined && configured !== "") {
    if (existsSync(configured)) return { path: configured, source: "config" };
    throw new VpoError("TOOL_MISSING", `Cannot find ${tool}: the configured path "${configured}" does not exist`);
  }
  const onPath = sources.which(tool);
  const npm = sources.npm(tool);
  if (onPath && "path" in npm && onPath !== npm.path) {
    // Only here is a version needed: one `-version` run per binary, cached across processes.
    const system = sources.version(onPath);
    const bundled = sources.version(npm.path);
    if (system && (!bundled || compareBuilds(system, bundled) > 0)) {
      return { path: onPath, source: "path", reason: bundled ? `newer than the npm build (${describeBuild(bundled)})` : `the npm build does not run` };
    }
    return { path: npm.path, source: "npm", reason: `the ${tool} on PATH (${onPath}, ${describeBuild(system)}) is not newer` };
  }
  if (onPath) return { path: onPath, source: "path" };
  if ("path" in npm) return { path: npm.path, source: "npm" };
  throw new VpoError(
    "TOOL_MISSING",
    `Cannot find ${tool}: not configured, "${tool}" is not on PATH, and ${npm.problem}. ` +
      `Install ffmpeg or set the ${tool} path in the configuration`,
  );
}

const cache = new Map<string, Record<ToolName, LocatedTool>>();

/** Both tools with where each came from; cached per config. Throws VpoError TOOL_MISSING. */
export function locateTools(config: ToolsConfig = {}): Record<ToolName, LocatedTool> {
  const key = JSON.stringify([config.ffmpeg ?? null, config.ffprobe ?? null]);
  const cached = cache.get(key);
  if (cached) return cached;
  const located = { ffmpeg: locateTool("ffmpeg", config.ffmpeg), ffprobe: locateTool("ffprobe", config.ffprobe) };
  cache.set(key, located);
  return located;
}

const paths = new WeakMap<Record<ToolName, LocatedTool>, Tools>();

/**
 * Resolves the ffmpeg and ffprobe executables; results are cached per config.
 * Throws VpoError TOOL_MISSING naming what was looked for.
 *
 * @example
 * const { ffmpeg, ffprobe } = resolveTools({ ffprobe: "/opt/ffmpeg/bin/ffprobe" });
 */
export function resolveTools(config: ToolsConfig = {}): Tools {
  const located = locateTools(config);
  let tools = paths.get(located);
  if (!tools) paths.set(located, (tools = { ffmpeg: located.ffmpeg.path, ffprobe: located.ffprobe.path }));
  return tools;
}

/** What `vpo config show` says about a tool: where it is, where it came from, which build; or why it is missing. */
export interface ToolReport {
  path: string | null;
  source: ToolSource | null;
  version: string | null;
  note: string | null;
}

/** Each tool on its own (one missing does not hide the other), with its build. */
export function reportTools(config: ToolsConfig = {}): Record<ToolName, ToolReport> {
  const report = (tool: ToolName): ToolReport => {
    try {
      const located = locateTool(tool, config[tool]);
      return { path: located.path, source: located.source, version: describeBuild(toolVersion(located.path)), note: located.reason ?? null };
    } catch (error) {
      return { path: null, source: null, version: null, note: (error as Error).message };
    }
  };
  return { ffmpeg: report("ffmpeg"), ffprobe: report("ffprobe") };
}
