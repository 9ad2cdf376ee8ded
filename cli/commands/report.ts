import { defineCommand } from "citty";
import { parseClosedRange, VpoError } from "../../core/mod.ts";
import { buildReport, customWindow, lastCompletePeriod, PERIODS, REPORT_FORMATS, renderReport, type Window } from "../../monitor/reports/mod.ts";
import { globalArgs } from "../context.ts";
import { openOutput, outputFormat } from "./stats/_output.ts";
import { choiceArg, formatArg, scopeArgs, withDatabase } from "./stats/_shared.ts";

/** Markdown first: the default, readable on a terminal. */
const FORMATS = ["md", ...REPORT_FORMATS.filter((f) => f !== "md")] as const;

/** The window a report covers: the last complete --period (default week), or --since/--until. */
export function reportWindow(args: { period?: string; since?: string; until?: string }, now = new Date()): { window: Window; period: (typeof PERIODS)[number] | "custom" } {
  const explicit = Boolean(args.since || args.until);
  if (explicit && args.period) throw new VpoError("INVALID_ARGUMENT", "Give either --period or --since/--until, not both");
  if (!explicit) {
    const period = (args.period || "week") as (typeof PERIODS)[number];
    return { window: lastCompletePeriod(period, now), period };
  }
  if (!args.since || !args.until) throw new VpoError("INVALID_ARGUMENT", "A report window needs both --since and --until (or use --period day|week|month)");
  const range = parseClosedRange({ since: args.since, until: args.until }, now);
  return { window: customWindow(range.since, range.until), period: "custom" };
}

export const reportCommand = defineCommand({
  meta: { name: "report", description: "A report with charts over the last day, week or month (or any window): PDF, HTML, Markdown or JSON" },
  args: {
    period: { ...choiceArg(PERIODS, "The last complete day, ISO week or month (UTC); default week"), default: undefined },
    since: { type: "string", description: "Start of a custom window (with --until): ISO date/datetime or 30m, 24h, 7d, 2w" },
    until: { type: "string", description: "End of a custom window (a date-only value includes that whole day)" },
    policy: { type: "string", description: "Only runs of this policy" },
    ...scopeArgs,
    format: formatArg(FORMATS),
    output: { type: "string", description: "Write to this file (via FILE.tmp, renamed when complete) instead of stdout" },
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    const { window, period } = reportWindow(args);
    const format = outputFormat(FORMATS, args.format, rawArgs, args.output);
    if (format === "pdf" && !args.output && process.stdout.isTTY) {
      throw new VpoError("INVALID_ARGUMENT", "A PDF report is binary: give --output FILE (or redirect standard output)");
    }
    const scope = { ...(args.policy ? { policy: args.policy } : {}), ...(args.library ? { library: args.library } : {}), ...(args.node ? { node: args.node } : {}) };
    await withDatabase(args, rawArgs, async (db) => {
      const data = await buildReport(db, { window, period, scope });
      const rendered = await renderReport(data, format);
      const out = openOutput(args.output);
      try {
        await out.write(rendered.body);
        await out.finish();
      } catch (error) {
        out.abort();
        throw error;
      }
      if (out.path) process.stderr.write(`Wrote the ${window.label} report (${format}, ${rendered.body.byteLength.toLocaleString("en-US")} bytes) to ${out.path}\n`);
    });
  },
});
