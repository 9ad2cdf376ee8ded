import { defineCommand } from "citty";

export const statsCommand = defineCommand({
  meta: { name: "stats", description: "Read, export, import and purge the record of processing runs" },
  subCommands: {
    summary: () => import("./summary.ts").then((m) => m.summaryCommand),
    recent: () => import("./recent.ts").then((m) => m.recentCommand),
    policies: () => import("./policies.ts").then((m) => m.policiesCommand),
    policy: () => import("./policies.ts").then((m) => m.policyCommand),
    nodes: () => import("./breakdown.ts").then((m) => m.nodesCommand),
    libraries: () => import("./breakdown.ts").then((m) => m.librariesCommand),
    file: () => import("./file.ts").then((m) => m.fileCommand),
    detail: () => import("./detail.ts").then((m) => m.detailCommand),
    trends: () => import("./trends.ts").then((m) => m.trendsCommand),
    metrics: () => import("./metrics.ts").then((m) => m.metricsCommand),
    compare: () => import("./compare.ts").then((m) => m.compareCommand),
    library: () => import("./library.ts").then((m) => m.libraryCommand),
    regressions: () => import("./regressions.ts").then((m) => m.regressionsCommand),
    export: () => import("./export.ts").then((m) => m.exportCommand),
    import: () => import("./import.ts").then((m) => m.importCommand),
    purge: () => import("./purge.ts").then((m) => m.purgeCommand),
  },
});
