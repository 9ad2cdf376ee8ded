import { defineCommand } from "citty";
import { withDatabase } from "../../database.ts";
import { getMetricAggregates } from "../../../core/mod.ts";
import { globalArgs } from "../../context.ts";
import { formatNumber, renderCsv, renderJson, renderTable } from "../../format.ts";
import { filterArgs, formatArg, noStats, parseFilter, scopeArgs } from "./_shared.ts";

export const metricsCommand = defineCommand({
  meta: { name: "metrics", description: "Aggregates of plugin metrics: count, sum, avg, min, max per key" },
  args: {
    ...globalArgs,
    // Here --plugin filters by plugin name; reading metrics needs no plugin loaded.
    plugin: { type: "string", description: "Only this plugin's metrics (by name)" },
    key: { type: "string", description: "Only this metric key" },
    since: filterArgs.since,
    until: filterArgs.until,
    ...scopeArgs,
    format: formatArg(["table", "json", "csv"]),
  },
  async run({ args, rawArgs }) {
    const { policy: _p, ...range } = parseFilter({ ...args, policy: undefined });
    await withDatabase(args, rawArgs, async (db) => {
      const rows = await getMetricAggregates(db, { ...range, plugin: args.plugin, key: args.key });
      if (rows.length === 0) throw noStats(args.plugin ? `for plugin "${args.plugin}"` : "for any plugin metric");
      if (args.format === "json") process.stdout.write(`${renderJson(rows)}\n`);
      else if (args.format === "csv") process.stdout.write(renderCsv(rows as unknown as Record<string, unknown>[], ["plugin", "key", "count", "sum", "avg", "min", "max"]));
      else {
        const n = (x: number | null) => formatNumber(x);
        process.stdout.write(
          `${renderTable(["Plugin", "Key", "Count", "Sum", "Avg", "Min", "Max"], rows.map((r) => [r.plugin, r.key, n(r.count), n(r.sum), n(r.avg), n(r.min), n(r.max)]), ["left", "left", "right", "right", "right", "right", "right"])}\n`,
        );
      }
    });
  },
});
