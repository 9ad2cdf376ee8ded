import { defineCommand } from "citty";
import { getRecentRuns, shortRunIds } from "../../../core/mod.ts";
import { globalArgs } from "../../context.ts";
import { RECENT_COLUMNS, renderRecentRuns } from "../../views/runs.ts";
import { filterArgs, formatArg, nothingFound, parseFilter, parseLimit, printView, scopeArgs, withDatabase } from "./_shared.ts";

export const recentCommand = defineCommand({
  meta: { name: "recent", description: "The latest runs, newest first" },
  args: {
    limit: { type: "string", description: "How many runs (default 20)" },
    policy: filterArgs.policy,
    ...scopeArgs,
    format: formatArg(["table", "json", "csv"]),
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    const limit = parseLimit(args.limit, 20);
    await withDatabase(args, rawArgs, async (db) => {
      const filter = parseFilter({ policy: args.policy, library: args.library, node: args.node });
      const runs = await getRecentRuns(db, { limit, ...filter });
      if (runs.length === 0) throw await nothingFound(db, filter);
      const ids = args.format === "table" ? await shortRunIds(db, runs.map((r) => r.stats_id)) : new Map<string, string>();
      printView(args.format, { json: runs, rows: runs, columns: RECENT_COLUMNS, table: () => renderRecentRuns(runs, ids) });
    });
  },
});
