import { defineCommand } from "citty";
import { type ComparedField, comparisonWindows, compareWindows, PERIODS } from "../../../monitor/reports/mod.ts";
import { globalArgs } from "../../context.ts";
import { formatBytes, formatDuration, formatInstant, formatNumber, renderCsv, renderJson, renderTable } from "../../format.ts";
import { choiceArg, formatArg, scopeArgs, withDatabase } from "./_shared.ts";

const show = (field: string, value: ComparedField["current"]) => {
  if (value === null) return "—";
  if (typeof value === "string") return formatInstant(value);
  if (field.includes("size")) return formatBytes(value);
  if (field.includes("processing_time")) return formatDuration(Number(value));
  if (field === "success_rate") return `${(Number(value) * 100).toFixed(1)}%`;
  if (field === "avg_savings_percent") return `${Number(value).toFixed(1)}%`;
  return formatNumber(Number(value));
};

export const compareCommand = defineCommand({
  meta: { name: "compare", description: "Every summary field over two windows side by side, with the absolute and % change" },
  args: {
    period: { ...choiceArg(PERIODS, "The last complete day, week or month against the one before; default week"), default: undefined },
    since: { type: "string", description: "Start of the window to look at" },
    until: { type: "string", description: "End of the window to look at (a date-only value includes that day)" },
    "to-since": { type: "string", description: "Start of the window to compare with (default: the same length just before)" },
    "to-until": { type: "string", description: "End of the window to compare with" },
    policy: { type: "string", description: "Only runs of this policy" },
    ...scopeArgs,
    format: formatArg(["table", "json", "csv"]),
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    const windows = comparisonWindows({ period: args.period, since: args.since, until: args.until, toSince: args["to-since"], toUntil: args["to-until"] });
    const scope = { ...(args.policy ? { policy: args.policy } : {}), ...(args.library ? { library: args.library } : {}), ...(args.node ? { node: args.node } : {}) };
    await withDatabase(args, rawArgs, async (db) => {
      const c = await compareWindows(db, windows, scope);
      if (args.format === "json") process.stdout.write(`${renderJson(c)}\n`);
      else if (args.format === "csv") process.stdout.write(renderCsv(c.fields as unknown as Record<string, unknown>[], ["field", "current", "baseline", "change", "change_percent"]));
      else {
        const rows = c.fields.map((f) => [
          f.field,
          show(f.field, f.current),
          show(f.field, f.baseline),
          f.change === null ? "" : `${Number(f.change) > 0 ? "+" : ""}${show(f.field, f.change)}`,
          f.change_percent === null ? "" : `${f.change_percent > 0 ? "+" : ""}${f.change_percent.toFixed(1)}%`,
        ]);
        process.stdout.write(`${renderTable(["", c.current.label, c.baseline.label, "Change", "%"], rows, ["left", "right", "right", "right", "right"])}\n`);
      }
    });
  },
});
