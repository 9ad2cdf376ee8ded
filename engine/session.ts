import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { getLogger } from "@logtape/logtape";
import {
  type Capture, createCapture, dataDir, type Db, type EventBus, errorMessage, type PluginRegistry, type ProbeFn,
  recordRun, type RunRecord, toRecordedEvent, VpoError,
} from "../core/mod.ts";
import { createProbe } from "./probe.ts";
import { resolveTools, type Tools, type ToolsConfig } from "./tools.ts";

const log = getLogger(["vpo", "engine"]);

export interface EngineOptions {
  db: Db;
  registry: PluginRegistry;
  tools?: ToolsConfig;
  probeTimeoutMs?: number;
  hookTimeoutMs?: number;
  bus?: EventBus;
}

export interface Engine {
  /** The database runs are recorded in (in-flight markers live there too). */
  db: Db;
  tools: Tools;
  probe: ProbeFn;
  capture: Capture;
  /** Stores a finished run and announces it; see `spoolPath` for what happens when the database refuses. */
  record(run: RunRecord): Promise<RunRecord>;
}

/** Where runs go when the database cannot take them, in the import format: `vpo stats import` replays them. */
export function spoolPath(): string {
  return join(dataDir(), "unrecorded-runs.ndjson");
}

/** Wires media tools, the capture runner and the repository together for one command. */
export function createEngine(options: EngineOptions): Engine {
  const tools = resolveTools(options.tools);
  const probe = createProbe(tools, { timeoutMs: options.probeTimeoutMs });
  const capture = createCapture({ registry: options.registry, probe, hookTimeoutMs: options.hookTimeoutMs });
  return {
    db: options.db,
    tools,
    probe,
    capture,
    async record(run) {
      try {
        await recordRun(options.db, run);
      } catch (error) {
        // Never lose a record: keep it where `vpo stats import` can bring it back.
        const spool = spoolPath();
        mkdirSync(dataDir(), { recursive: true });
        appendFileSync(spool, `${JSON.stringify(run)}\n`);
        log.error("Run {run_id} could not be stored and was written to {spool}: {error}", { run_id: run.id, spool, error: errorMessage(error) });
        throw new VpoError("DB_ERROR", `Cannot store run ${run.id} (${errorMessage(error)}); it was saved to ${spool} — import it later with: vpo stats import ${spool}`, { cause: error });
      }
      options.bus?.emit("run.recorded", toRecordedEvent(run));
      return run;
    },
  };
}
