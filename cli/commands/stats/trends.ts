import { defineCommand } from "citty";
import { getTrends } from "../../../core/mod.ts";
import { globalArgs } from "../../context.ts";
import { renderTrends, TREND_COLUMNS } from "../../views/trends.ts";
import { choiceArg, filterArgs, formatArg, nothingFound, parseFilter, printView, withDatabase } from "./_shared.ts";

const PERIODS = ["day", "week", "month"] as const;

export const trendsCommand = defineCommand({
  meta: { name: "trends", description: "Files, successes, failures and space saved per day, ISO week or month" },
  args: {
    ...filterArgs,
    "group-by": choiceArg(PERIODS, "One row per period (weeks are ISO weeks, UTC)"),
    format: formatArg(["table", "json", "csv"]),
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    const filter = parseFilter(args);
    await withDatabase(args, rawArgs, async (db) => {
      const points = await getTrends(db, { ...filter, groupBy: args["group-by"] });
      if (points.length === 0) throw await nothingFound(db, filter);
      printView(args.format, { json: points, rows: points, columns: TREND_COLUMNS, table: () => renderTrends(points) });
    });
  },
});
