import { defineCommand } from "citty";
import { getTrends } from "../../../core/mod.ts";
import { globalArgs } from "../../context.ts";
import { renderTrends, TREND_COLUMNS } from "../../views/trends.ts";
import { filterArgs, formatArg, nothingFound, parseChoice, parseFilter, parseFormat, printView, withDatabase } from "./_shared.ts";

const PERIODS = ["day", "week", "month"] as const;

export const trendsCommand = defineCommand({
  meta: { name: "trends", description: "Files, successes, failures and space saved per day, ISO week or month" },
  args: {
    ...filterArgs,
    "group-by": { type: "string", description: `${PERIODS.join(" | ")} (default day; weeks are ISO weeks, UTC)` },
    format: formatArg(["table", "json", "csv"]),
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    const format = parseFormat(args.format, ["table", "json", "csv"] as const);
    const groupBy = parseChoice(args["group-by"], PERIODS, "group-by");
    const filter = parseFilter(args);
    await withDatabase(args, rawArgs, async (db) => {
      const points = await getTrends(db, { ...filter, groupBy });
      if (points.length === 0) throw await nothingFound(db, filter);
      printView(format, { json: points, rows: points, columns: TREND_COLUMNS, table: () => renderTrends(points) });
    });
  },
});
