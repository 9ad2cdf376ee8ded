import { basename, dirname, join } from "node:path";
import { getLogger } from "@logtape/logtape";
import {
  type Capture, createCapture, dataDir, type Db, type EventBus, errorMessage, isRunStored, type PluginRegistry, type ProbeFn,
  recordRun, type RunRecord, toRecordedEvent, VpoError,
} from "../core/mod.ts";
import { type CachedProbe, cachedProbe, createProbe } from "./probe.ts";
import { appendToSpool } from "./spool.ts";
import { resolveTools, type Tools, type ToolsConfig } from "./tools.ts";

const log = getLogger(["vpo", "engine"]);

export interface EngineOptions {
  db: Db;
  registry: PluginRegistry;
  tools?: ToolsConfig;
  probeTimeoutMs?: number;
  /** The probe, when made before the engine (engineProbe: to read a file ahead while the database opens). */
  probe?: CachedProbe;
  hookTimeoutMs?: number;
  bus?: EventBus;
  /** Where runs go when the database cannot take them (default: `spoolPathFor` the data dir's database). */
  spoolPath?: string;
  /** This machine's name, recorded on every run and marker. */
  node?: string | null;
  /** Library roots by name (`[libraries]`): a run records the library its file is in. */
  libraries?: Record<string, string>;
}

/** Where a run ended up: the database, or (when it refused) the spool, which the next start replays. */
export type Stored = { in: "database" } | { in: "spool"; error: string };

export interface Engine {
  /** The database runs are recorded in (in-flight markers live there too). */
  db: Db;
  tools: Tools;
  /** ffprobe, each state of a file probed once. */
  probe: CachedProbe;
  capture: Capture;
  /** The same capture runner reading media through another probe (a recovery shows plugins the file as it was). */
  captureWith(probe: ProbeFn): Capture;
  spoolPath: string;
  /** This machine's name (null when not configured: tests, embedders). */
  node: string | null;
  libraries: Record<string, string>;
  /**
   * Stores a finished run and announces it. When the database refuses it, the run is appended
   * to the spool (fsynced); throws DB_ERROR only when neither could take it.
   */
  record(run: RunRecord): Promise<Stored>;
}

/**
 * The spool of a database: `unrecorded-runs.ndjson` beside the default `library.db`, else
 * `<database file>.unrecorded-runs.ndjson` — so runs are never replayed into another database.
 */
export function spoolPathFor(databasePath: string): string {
  if (databasePath === ":memory:") return join(dataDir(), "unrecorded-runs.ndjson");
  // A server's runs wait in the data dir, in a spool named after the server and database.
  if (/^postgres(ql)?:\/\//i.test(databasePath)) {
    const url = new URL(databasePath);
    return join(dataDir(), `unrecorded-runs.${`${url.hostname}-${url.port || "5432"}${url.pathname}`.replace(/[^A-Za-z0-9._-]+/g, "_")}.ndjson`);
  }
  const name = basename(databasePath);
  return join(dirname(databasePath), name === "library.db" ? "unrecorded-runs.ndjson" : `${name}.unrecorded-runs.ndjson`);
}

/** The engine's ffprobe, each state of a file probed once; made alone, it can start before the engine exists. */
export function engineProbe(options: Pick<EngineOptions, "tools" | "probeTimeoutMs">): CachedProbe {
  return cachedProbe(createProbe(resolveTools(options.tools), { timeoutMs: options.probeTimeoutMs }));
}

/** Wires media tools, the capture runner and the repository together for one command. */
export function createEngine(options: EngineOptions): Engine {
  const tools = resolveTools(options.tools);
  const probe = options.probe ?? engineProbe(options);
  const captureWith = (p: ProbeFn) => createCapture({ registry: options.registry, probe: p, hookTimeoutMs: options.hookTimeoutMs });
  const spoolPath = options.spoolPath ?? spoolPathFor(join(dataDir(), "library.db"));
  return {
    db: options.db,
    tools,
    probe,
    capture: captureWith(probe),
    captureWith,
    spoolPath,
    node: options.node ?? null,
    libraries: options.libraries ?? {},
    async record(run) {
      try {
        await recordRun(options.db, run);
      } catch (error) {
        // Stored meanwhile by a concurrent recovery of the same run: run ids are primary keys.
        if (await isRunStored(options.db, run.id).catch(() => false)) return { in: "database" };
        try {
          appendToSpool(spoolPath, run);
        } catch (spoolError) {
          throw new VpoError("DB_ERROR", `Cannot store run ${run.id} (${errorMessage(error)}) nor save it to ${spoolPath} (${errorMessage(spoolError)})`, { cause: error });
        }
        log.error("Run {run_id} could not be stored and was written to {spool}: {error}", { run_id: run.id, spool: spoolPath, error: errorMessage(error) });
        return { in: "spool", error: errorMessage(error) };
      }
      options.bus?.emit("run.recorded", toRecordedEvent(run));
      return { in: "database" };
    },
  };
}
