import { defineCommand } from "citty";
import { librariesCommand, nodesCommand } from "./breakdown.ts";
import { detailCommand } from "./detail.ts";
import { exportCommand } from "./export.ts";
import { fileCommand } from "./file.ts";
import { importCommand } from "./import.ts";
import { metricsCommand } from "./metrics.ts";
import { policiesCommand, policyCommand } from "./policies.ts";
import { purgeCommand } from "./purge.ts";
import { recentCommand } from "./recent.ts";
import { summaryCommand } from "./summary.ts";
import { trendsCommand } from "./trends.ts";
import { compareCommand } from "./compare.ts";
import { libraryCommand } from "./library.ts";
import { regressionsCommand } from "./regressions.ts";

export const statsCommand = defineCommand({
  meta: { name: "stats", description: "Read, export, import and purge the record of processing runs" },
  subCommands: {
    summary: summaryCommand,
    recent: recentCommand,
    policies: policiesCommand,
    policy: policyCommand,
    nodes: nodesCommand,
    libraries: librariesCommand,
    file: fileCommand,
    detail: detailCommand,
    trends: trendsCommand,
    metrics: metricsCommand,
    compare: compareCommand,
    library: libraryCommand,
    regressions: regressionsCommand,
    export: exportCommand,
    import: importCommand,
    purge: purgeCommand,
  },
});
