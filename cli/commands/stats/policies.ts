import { defineCommand } from "citty";
import { getPolicy, getPolicyStats } from "../../../core/mod.ts";
import { globalArgs } from "../../context.ts";
import { POLICY_COLUMNS, renderPolicyDetail, renderPolicyTable } from "../../views/policies.ts";
import { choiceArg, filterArgs, formatArg, nothingFound, parseFilter, printView, scopeArgs, withDatabase } from "./_shared.ts";

const SORTS = ["files", "savings", "time"] as const;

export const policiesCommand = defineCommand({
  meta: { name: "policies", description: "One row per policy: files, success rate, space saved, average time, last used" },
  args: {
    since: filterArgs.since,
    until: filterArgs.until,
    ...scopeArgs,
    sort: choiceArg(SORTS, "Sort by, descending"),
    format: formatArg(["table", "json", "csv"]),
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    const filter = parseFilter(args);
    await withDatabase(args, rawArgs, async (db) => {
      const rows = await getPolicyStats(db, { ...filter, sort: args.sort });
      if (rows.length === 0) throw await nothingFound(db, filter);
      printView(args.format, { json: rows, rows, columns: POLICY_COLUMNS, table: () => renderPolicyTable(rows) });
    });
  },
});

export const policyCommand = defineCommand({
  meta: { name: "policy", description: "One policy in detail" },
  args: {
    name: { type: "positional", required: true, description: "Policy name" },
    since: filterArgs.since,
    until: filterArgs.until,
    ...scopeArgs,
    format: formatArg(["table", "json", "csv"]),
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    const { policy: _p, ...filter } = parseFilter(args);
    await withDatabase(args, rawArgs, async (db) => {
      const stats = await getPolicy(db, args.name, filter);
      if (!stats) throw await nothingFound(db, { ...filter, policy: args.name });
      printView(args.format, { json: stats, rows: [stats], columns: POLICY_COLUMNS, table: () => renderPolicyDetail(stats) });
    });
  },
});
