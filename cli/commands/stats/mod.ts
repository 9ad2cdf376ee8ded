import { defineCommand } from "citty";
import { detailCommand } from "./detail.ts";
import { metricsCommand } from "./metrics.ts";
import { summaryCommand } from "./summary.ts";

export const statsCommand = defineCommand({
  meta: { name: "stats", description: "Read the record of processing runs" },
  subCommands: {
    summary: summaryCommand,
    detail: detailCommand,
    metrics: metricsCommand,
  },
});
