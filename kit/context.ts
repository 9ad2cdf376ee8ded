/**
 * What a kit check works with: the fixtures, a temp folder, a temp SQLite database, and `run`,
 * which carries one fixture through vpo's real run lifecycle (engine/mod.ts) with the plugin
 * registered, records it through the real repository and reads it back through the real views.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRegistry, type Db, errorMessage, getRunDetail, openDatabase, type RunDetail, type RunRecord, type VpoPlugin } from "../core/mod.ts";
import { commandStep, createEngine, runLifecycle } from "../engine/mod.ts";
import { type FixtureSet, type KitFixture, makeFixtureSet } from "./fixtures.ts";

/**
 * What the run does to its file, as a `vpo run` command would:
 * - `remux`: copies every stream into a new file that replaces the original (one phase, one action);
 * - `transcode`: re-encodes the video to MPEG-4 Part 2 (the file's codec really changes);
 * - `fail`: ffmpeg exits non-zero; the run is recorded as failed and the file left alone;
 * - or any command line with `{input}` and `{output}`.
 */
export type KitCommand = "remux" | "transcode" | "fail" | readonly string[];

const COMMANDS: Record<Exclude<KitCommand, readonly string[]>, readonly string[]> = {
  remux: ["ffmpeg", "-i", "{input}", "-map", "0", "-c", "copy", "{output}"],
  transcode: ["ffmpeg", "-i", "{input}", "-map", "0", "-c", "copy", "-c:v", "mpeg4", "-q:v", "5", "{output}"],
  fail: ["ffmpeg", "-i", "{input}", "-map", "0", "-c", "copy", "-f", "vpo-kit-no-such-format", "{output}"],
};

export interface KitRunOptions {
  command?: KitCommand;
  /** The plugin to register (default: the plugin under test). */
  plugin?: VpoPlugin;
}

export interface KitRun {
  /** The record as the run produced it. */
  record: RunRecord;
  /** The same run read back from the database through vpo's views (`getRunDetail`). */
  stored: RunDetail;
  /** Where the file is after the run. */
  file: string;
}

export interface KitContext {
  /** The plugin under test. */
  plugin: VpoPlugin;
  /** The original fixtures (absolute paths): run on copies (`copyFixture`), never on these. */
  fixtures: Record<KitFixture, string>;
  /** A temp folder of this suite, removed after it. */
  dir: string;
  /** The suite's temp SQLite database, every run of `run` recorded in it. */
  db: Db;
  /** A fresh copy of a fixture in the suite's temp folder. */
  copyFixture(name: KitFixture): Promise<string>;
  /** Runs a copy of `fixture` through vpo's run lifecycle with the plugin registered. */
  run(fixture: KitFixture, options?: KitRunOptions): Promise<KitRun>;
  /** Hook time budget in this suite, ms. */
  hookTimeoutMs: number;
}

export interface OpenedKit extends KitContext {
  close(): Promise<void>;
}

let shared: Promise<FixtureSet> | null = null;

/** The fixtures, shared by every suite of this test process. */
function fixtureSet(): Promise<FixtureSet> {
  shared ??= makeFixtureSet();
  return shared;
}

/** Opens a kit context for `plugin`; `close` removes its database and folder. */
export async function openKit(plugin: VpoPlugin, hookTimeoutMs: number): Promise<OpenedKit> {
  const set = await fixtureSet();
  const dir = await mkdtemp(join(tmpdir(), "vpo-kit-"));
  const { db, close } = await openDatabase(join(dir, "kit.db"));
  const copyFixture = (name: KitFixture) => set.copy(name, join(dir, "media"));
  return {
    plugin,
    fixtures: set.files,
    dir,
    db,
    hookTimeoutMs,
    copyFixture,
    async run(fixture, options = {}) {
      const registry = createRegistry();
      registry.register(options.plugin ?? plugin);
      const engine = createEngine({ db, registry, hookTimeoutMs, spoolPath: join(dir, "unrecorded-runs.ndjson") });
      const command = options.command ?? "remux";
      const argv = typeof command === "string" ? COMMANDS[command as keyof typeof COMMANDS] : (command as readonly string[]);
      const file = await copyFixture(fixture);
      const outcome = await runLifecycle(engine, commandStep(engine, argv), { file, policyName: "vpo-kit" }).catch((error: unknown) => {
        // A record vpo refuses cannot be stored: say so, not just how.
        throw new Error(`vpo could not record the run on the "${fixture}" fixture: ${errorMessage(error)}`);
      });
      if (outcome.stored.in !== "database") {
        throw new Error(`the run could not be recorded: the database refused it (${outcome.stored.error})`);
      }
      return { record: outcome.record, stored: await getRunDetail(db, outcome.record.id), file: outcome.path };
    },
    async close() {
      await close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
