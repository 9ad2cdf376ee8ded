import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { defineCommand } from "citty";
import { getFileHistory, shortRunIds, VpoError } from "../../../core/mod.ts";
import { globalArgs } from "../../context.ts";
import { HISTORY_COLUMNS, renderFileHistory } from "../../views/runs.ts";
import { formatArg, noStats, parseLimit, printView, withDatabase } from "./_shared.ts";

export const fileCommand = defineCommand({
  meta: { name: "file", description: "Every recorded run of one file, newest first" },
  args: {
    path: { type: "positional", required: true, description: "The file (relative paths are resolved against the current directory)" },
    limit: { type: "string", description: "At most this many runs" },
    format: formatArg(["table", "json", "csv"]),
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    const limit = parseLimit(args.limit);
    // Runs record the absolute path the file had when processed.
    const path = resolve(args.path);
    // History outlives the file, so a missing file is only an error when nothing was recorded either.
    const noHistory = () => {
      if (!existsSync(path)) throw new VpoError("FILE_NOT_FOUND", `File not found: "${path}" (and no runs are recorded for that path)`);
      throw noStats(`for "${path}"`);
    };
    await withDatabase(args, rawArgs, async (db) => {
      const runs = await getFileHistory(db, { path, limit });
      if (runs.length === 0) noHistory();
      const ids = args.format === "table" ? await shortRunIds(db, runs.map((r) => r.stats_id)) : new Map<string, string>();
      printView(args.format, { json: { file_path: path, runs }, rows: runs, columns: HISTORY_COLUMNS, table: () => renderFileHistory(path, runs, ids) });
    }, { ifMissing: noHistory });
  },
});
