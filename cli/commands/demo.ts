import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defineCommand } from "citty";
import { dataDir, getSummary, shortRunIds } from "../../core/mod.ts";
import { DEMO_POLICY, generateDemoLibrary, loadPolicy, policiesDir } from "../../engine/mod.ts";
import { startServer } from "../../server/mod.ts";
import { globalArgs } from "../context.ts";
import { type EngineSession, openEngineSession } from "../engine_session.ts";
import { renderSummary } from "../views/summary.ts";
import { processWithView } from "./process.ts";

/** Writes the example policy unless the user already has one by that name. */
function ensureDemoPolicy(): { path: string; created: boolean } {
  const path = join(policiesDir(), "demo.yaml");
  if (existsSync(path)) return { path, created: false };
  mkdirSync(policiesDir(), { recursive: true });
  writeFileSync(path, DEMO_POLICY);
  return { path, created: true };
}

/** `firstRun`: the id to show, as short as the database allows. */
function nextSteps(library: string, firstRun: string | null, serving: boolean): string {
  const q = JSON.stringify(library);
  const steps: [command: string, why: string][] = [
    ...(firstRun ? [[`vpo stats detail ${firstRun} --show-actions --show-performance`, "one run: every action and the rule behind it"] as [string, string]] : []),
    [`vpo process ${q} --policy demo --dry-run`, "the plan now: nothing left to do"],
    [`vpo scan ${q}`, "record what ffprobe sees in each file"],
    [`vpo files ${q}`, "and show it: container, duration, size, every stream"],
    ["vpo stats summary --format json", "the same totals for scripts"],
    ...(serving ? [] : [["vpo demo --serve", "the dashboard in your browser"] as [string, string]]),
  ];
  // The comments in one column, whatever the length of the library's path and the run id.
  const width = Math.max(...steps.map(([command]) => command.length));
  return [
    "What to try next:",
    ...steps.map(([command, why]) => `  ${command.padEnd(width)}   # ${why}`),
    `  edit ${join(policiesDir(), "demo.yaml")}, then: vpo demo`,
  ].join("\n");
}

/** Starts the HTTP server on the session's database and waits for Ctrl-C. */
async function serve(session: EngineSession): Promise<void> {
  const config = session.ctx.config.server ?? {};
  const server = await startServer({
    database: session.database, bus: session.ctx.bus, registry: session.ctx.registry,
    token: process.env.VPO_TOKEN || config.token || null, host: config.host ?? "127.0.0.1", port: config.port ?? 8321,
  });
  process.stdout.write(`\nDashboard: ${server.url}/   (API docs ${server.url}/swagger) — press Ctrl-C to stop\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await server.stop();
}

export const demoCommand = defineCommand({
  meta: { name: "demo", description: "Make a small sample library with ffmpeg, process it with an example policy, and show the results" },
  args: {
    serve: { type: "boolean", description: "Then start the dashboard on this database" },
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    const session = await openEngineSession(args, rawArgs);
    try {
      const library = join(dataDir(), "demo-library");
      process.stdout.write(`Generating a sample library with ffmpeg in ${library} …\n`);
      const files = await generateDemoLibrary(session.engine.tools, library);
      const policy = ensureDemoPolicy();
      process.stdout.write(`${policy.created ? "Wrote the example policy" : "Using your policy"} ${policy.path}\n\n`);
      const loaded = loadPolicy(policy.path);
      const batch = await processWithView(session, files.map((path) => ({ path, size: statSync(path).size })), loaded, {
        workers: session.ctx.config.processing.workers ?? 1, keepBackup: false, json: false,
      });
      const summary = await getSummary(session.db, { policy: loaded.name });
      process.stdout.write(`\n${renderSummary(summary)}\n\n`);
      const firstChanged = batch.outcomes.find((o) => o.changed)?.record.id ?? null;
      const shown = firstChanged ? ((await shortRunIds(session.db, [firstChanged])).get(firstChanged) ?? firstChanged) : null;
      process.stdout.write(`${nextSteps(library, shown, args.serve === true)}\n`);
      if (args.serve && process.exitCode === undefined) await serve(session);
    } finally {
      await session.close();
    }
  },
});
