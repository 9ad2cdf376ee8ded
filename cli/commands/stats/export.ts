import { defineCommand } from "citty";
import { hasRuns, streamRunRecords } from "../../../core/mod.ts";
import { globalArgs } from "../../context.ts";
import { EXPORT_FORMATS, writeRuns } from "./_export_formats.ts";
import { isBrokenPipe } from "../../stdio.ts";
import { openOutput, outputFormat } from "./_output.ts";
import { filterArgs, formatArg, nothingFound, parseFilter, withDatabase } from "./_shared.ts";

export const exportCommand = defineCommand({
  meta: { name: "export", description: "Every run with its actions, phases and plugin metrics, streamed (NDJSON re-imports with `stats import`)" },
  args: {
    ...filterArgs,
    format: formatArg(EXPORT_FORMATS),
    output: { type: "string", description: "Write to this file (via FILE.tmp, renamed when complete) instead of stdout" },
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    const filter = parseFilter(args);
    const format = outputFormat(EXPORT_FORMATS, args.format, rawArgs, args.output);
    await withDatabase(args, rawArgs, async (db) => {
      if (!(await hasRuns(db, filter))) throw await nothingFound(db, filter);
      const out = openOutput(args.output);
      // Ctrl-C mid-export: remove FILE.tmp rather than leave it behind.
      const onSignal = () => {
        out.abort();
        process.exit(130);
      };
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      try {
        const count = await writeRuns(streamRunRecords(db, filter), format, out);
        await out.finish();
        if (out.path) process.stderr.write(`Exported ${count.toLocaleString("en-US")} ${count === 1 ? "run" : "runs"} to ${out.path}\n`);
      } catch (error) {
        out.abort();
        // The reader stopped early (`vpo stats export | head`): what it wanted, it got.
        if (!isBrokenPipe(error)) throw error;
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
    });
  },
});
