import type { LogEntry } from "../../core/mod.ts";
import { colors } from "../format.ts";

const LEVEL_TAGS: Record<string, string> = { debug: "DBG", info: "INF", warning: "WRN", error: "ERR", fatal: "FTL" };
const CONTEXT = ["job_id", "run_id", "file", "node", "plugin"] as const;

const paint = (level: string, text: string) => (level === "error" || level === "fatal" ? colors.red(text) : level === "warning" ? colors.yellow(text) : text);

/**
 * A stored record as the logs show it on stderr: `time [LVL] category: message (job_id=… run_id=…)`;
 * a message of several lines (a tool's stderr) continues indented.
 */
export function renderLogLine(entry: LogEntry): string {
  const context = CONTEXT.filter((k) => entry[k] !== null && !entry.message.includes(String(entry[k]))).map((k) => `${k}=${entry[k]}`);
  const [first, ...rest] = entry.message.split("\n");
  const head = `${entry.at} ${paint(entry.level, `[${LEVEL_TAGS[entry.level] ?? entry.level}]`)} ${entry.category}: ${first}${context.length ? colors.dim(` (${context.join(" ")})`) : ""}`;
  return [head, ...rest.map((line) => `    ${line}`)].join("\n");
}

/** Records one per line: text for people, or JSON lines. */
export function renderLogs(entries: LogEntry[], json: boolean): string {
  return entries.map((e) => (json ? JSON.stringify(e) : renderLogLine(e))).join("\n");
}
