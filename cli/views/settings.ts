import { CONFIG_SECTIONS, type ConfigSource, type LoadedConfig, sectionKeys } from "../../core/mod.ts";
import type { ToolName, ToolReport } from "../../engine/mod.ts";
import { renderTable } from "../format.ts";

/** Keys whose values are secrets: shown as set or not, never printed. */
const SECRET_KEYS = new Set(["server.token"]);

export interface Setting {
  value: unknown;
  source: ConfigSource;
}

/**
 * The effective settings as `section.key` → value and source, in schema order, every key shown
 * (unset ones as null); secrets masked; plugin options one entry per plugin.
 */
export function effectiveSettings(loaded: LoadedConfig): Record<string, Setting> {
  const out: Record<string, Setting> = {};
  for (const section of CONFIG_SECTIONS) {
    const values = (loaded.config[section] ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(sectionKeys(section))) {
      const name = `${section}.${key}`;
      const value = values[key] ?? null;
      if (name === "plugins.options") {
        for (const [plugin, options] of Object.entries((value ?? {}) as Record<string, unknown>)) {
          out[`${name}.${plugin}`] = { value: options, source: loaded.sources[`${name}.${plugin}`] ?? "default" };
        }
        continue;
      }
      out[name] = { value: SECRET_KEYS.has(name) && value ? "********" : value, source: loaded.sources[name] ?? "default" };
    }
  }
  return out;
}

const show = (value: unknown) => (value === null ? "(not set)" : typeof value === "string" ? value : JSON.stringify(value));

/** `Setting  Value  Source` table of the effective settings. */
export function renderSettings(settings: Record<string, Setting>): string {
  return renderTable(["Setting", "Value", "Source"], Object.entries(settings).map(([k, s]) => [k, show(s.value), s.source]));
}

/** The lines above the settings table: which files took part. */
export function renderLayers(loaded: LoadedConfig): string {
  const lines = [`Config file  ${loaded.configPath ?? "none (built-in defaults)"}`];
  if (loaded.profile) {
    lines.push(`Profile      ${loaded.profile.name}${loaded.profile.description ? ` — ${loaded.profile.description}` : ""}`);
    if (loaded.profile.default_policy) lines.push(`Policy       ${loaded.profile.default_policy} (default_policy)`);
  }
  return lines.join("\n");
}

const TOOL_SOURCES = { config: "[tools] in the config", path: "on PATH", npm: "npm build" } as const;

/** One line per tool: the executable vpo runs, where it came from and which build it is. */
export function renderTools(tools: Record<ToolName, ToolReport>): string {
  return Object.entries(tools)
    .map(([tool, t]) => {
      const what = t.path === null ? `not found: ${t.note}` : `${t.path}  (${TOOL_SOURCES[t.source!]}, ${t.version}${t.note ? `; ${t.note}` : ""})`;
      return `${tool.padEnd(12)} ${what}`;
    })
    .join("\n");
}
