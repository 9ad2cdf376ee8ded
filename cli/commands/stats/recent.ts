import { defineCommand } from "citty";
import { getRecentRuns, shortRunIds } from "../../../core/mod.ts";
import { globalArgs } from "../../context.ts";
import { RECENT_COLUMNS, renderRecentRuns } from "../../views/runs.ts";
import { filterArgs, formatArg, nothingFound, parseFormat, parseLimit, printView, withDatabase } from "./_shared.ts";

export const recentCommand = defineCommand({
  meta: { name: "recent", description: "The latest runs, newest first" },
  args: {
    limit: { type: "string", description: "How many runs (default 20)" },
    policy: filterArgs.policy,
    format: formatArg(["table", "json", "csv"]),
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    const format = parseFormat(args.format, ["table", "json", "csv"] as const);
    const limit = parseLimit(args.limit, 20);
    await withDatabase(args, rawArgs, async (db) => {
      const runs = await getRecentRuns(db, { limit, policy: args.policy || undefined });
      if (runs.length === 0) throw await nothingFound(db, { policy: args.policy || undefined });
      const ids = format === "table" ? await shortRunIds(db, runs.map((r) => r.stats_id)) : new Map<string, string>();
      printView(format, { json: runs, rows: runs, columns: RECENT_COLUMNS, table: () => renderRecentRuns(runs, ids) });
    });
  },
});
