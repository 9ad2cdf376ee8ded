import { defineCommand } from "citty";
import { detectRegressions, type PerformanceChange } from "../../../monitor/regressions/mod.ts";
import { globalArgs } from "../../context.ts";
import { formatInstant, renderCsv, renderJson, renderTable } from "../../format.ts";
import { filterArgs, formatArg, parseFilter, withDatabase } from "./_shared.ts";

const CSV_COLUMNS = ["at", "policy", "phase", "encoder", "resolution", "metric", "direction", "change_percent", "mean_before", "mean_after", "pvalue", "runs_before", "runs_after"] as const;

function renderChanges(changes: PerformanceChange[]): string {
  if (changes.length === 0) return "No performance change found.";
  return renderTable(
    ["When (UTC)", "Policy", "Phase", "Encoder", "Res.", "Measure", "Change", "Before → after", "Runs before / after"],
    changes.map((c) => [
      formatInstant(c.at), c.policy, c.phase, c.encoder, c.resolution, c.metric === "encoding_fps" ? "fps" : "s/GB",
      `${c.change_percent > 0 ? "+" : ""}${c.change_percent.toFixed(1)}% ${c.direction === "regression" ? "worse" : "better"}`,
      `${c.mean_before.toFixed(1)} → ${c.mean_after.toFixed(1)}`,
      `${c.run_before.stats_id.slice(0, 8)} / ${c.run_after.stats_id.slice(0, 8)}`,
    ]),
    ["left", "left", "left", "left", "left", "left", "right", "right", "left"],
  );
}

export const regressionsCommand = defineCommand({
  meta: { name: "regressions", description: "Performance changes per policy, phase, encoder and resolution (seconds per GB, encoding fps), by change-point detection" },
  args: {
    ...filterArgs,
    improvements: { type: "boolean", description: "Also list changes for the better" },
    format: formatArg(["table", "json", "csv"]),
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    const filter = parseFilter(args);
    await withDatabase(args, rawArgs, async (db) => {
      const changes = await detectRegressions(db, { ...filter, improvements: args.improvements });
      if (args.format === "json") process.stdout.write(`${renderJson(changes)}\n`);
      else if (args.format === "csv") process.stdout.write(renderCsv(changes as unknown as Record<string, unknown>[], [...CSV_COLUMNS]));
      else process.stdout.write(`${renderChanges(changes)}\n`);
    });
  },
});
