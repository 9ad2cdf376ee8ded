import { defineCommand } from "citty";
import { type BreakdownBy, getBreakdown } from "../../../core/mod.ts";
import { globalArgs } from "../../context.ts";
import { BREAKDOWN_COLUMNS, renderBreakdown } from "../../views/breakdown.ts";
import { filterArgs, formatArg, nothingFound, parseFilter, printView, withDatabase } from "./_shared.ts";

/** `vpo stats nodes` / `vpo stats libraries`: totals per machine or per library. */
function breakdownCommand(by: BreakdownBy, description: string) {
  return defineCommand({
    meta: { name: by === "node" ? "nodes" : "libraries", description },
    args: { ...filterArgs, format: formatArg(["table", "json", "csv"]), ...globalArgs },
    async run({ args, rawArgs }) {
      const filter = parseFilter(args);
      await withDatabase(args, rawArgs, async (db) => {
        const rows = await getBreakdown(db, by, filter);
        if (rows.length === 0) throw await nothingFound(db, filter);
        printView(args.format, { json: rows, rows, columns: BREAKDOWN_COLUMNS, table: () => renderBreakdown(by, rows) });
      });
    },
  });
}

export const nodesCommand = breakdownCommand("node", "Totals per machine: files, failures, space saved, time (they add up to the summary)");
export const librariesCommand = breakdownCommand("library", "Totals per library ([libraries] in the config): files, failures, space saved, time");
