import { defineCommand } from "citty";
import { withDatabase } from "../../database.ts";
import { getRunDetail } from "../../../core/mod.ts";
import { globalArgs } from "../../context.ts";
import { renderJson } from "../../format.ts";
import { renderRunDetail } from "../../views/run_detail.ts";
import { formatArg } from "./_shared.ts";

export const detailCommand = defineCommand({
  meta: { name: "detail", description: "Everything about one run; <id> may be a unique prefix of 4+ characters" },
  args: {
    id: { type: "positional", required: true, description: "Run id or unique prefix" },
    "show-actions": { type: "boolean", description: "Table of every action" },
    "show-performance": { type: "boolean", description: "Table of every phase" },
    format: formatArg(["table", "json"]),
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    await withDatabase(args, rawArgs, async (db) => {
      const run = await getRunDetail(db, args.id);
      process.stdout.write(
        `${args.format === "json" ? renderJson(run) : renderRunDetail(run, { actions: args["show-actions"], performance: args["show-performance"] })}\n`,
      );
    });
  },
});
