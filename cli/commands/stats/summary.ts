import { defineCommand } from "citty";
import { withDatabase } from "../../database.ts";
import { getSummary, retentionHorizon, windowWidenedBy } from "../../../core/mod.ts";
import { globalArgs } from "../../context.ts";
import { renderCsv, renderJson } from "../../format.ts";
import { renderSummary } from "../../views/summary.ts";
import { filterArgs, formatArg, nothingFound, parseFilter } from "./_shared.ts";

export const summaryCommand = defineCommand({
  meta: { name: "summary", description: "Totals over all runs: files, space saved, tracks removed, transcodes, time" },
  args: { ...filterArgs, format: formatArg(["table", "json", "csv"]), ...globalArgs },
  async run({ args, rawArgs }) {
    const filter = parseFilter(args);
    await withDatabase(args, rawArgs, async (db) => {
      const summary = await getSummary(db, filter);
      // Runs before the retention horizon are gone: say so when this window's edge day was answered whole.
      const horizon = await retentionHorizon(db);
      const widened = windowWidenedBy(filter, horizon);
      if (widened) process.stderr.write(`vpo: runs before ${horizon!.slice(0, 10)} were removed by retention; this window's totals count whole days there: ${widened.since?.slice(0, 10) ?? "the start"} to ${widened.until ? new Date(Date.parse(widened.until) - 1).toISOString().slice(0, 10) : "now"}\n`);
      if (summary.total_files_processed === 0) throw await nothingFound(db, filter);
      if (args.format === "json") process.stdout.write(`${renderJson(summary)}\n`);
      else if (args.format === "csv") process.stdout.write(renderCsv([summary as unknown as Record<string, unknown>], Object.keys(summary)));
      else process.stdout.write(`${renderSummary(summary)}\n`);
    });
  },
});
