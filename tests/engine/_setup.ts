/**
 * Shared set-up for engine tests: a temp library of fixture copies, a real SQLite database,
 * the engine with the built-in plugins, and the policy the acceptance test names.
 */
import { chmodSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEventBus, createRegistry, type Db, type EventBus, openDatabase, type VpoPlugin } from "../../core/mod.ts";
import { parsePolicy, type LoadedPolicy, policyDigest } from "../../engine/policy/load.ts";
import { createEngine, type Engine, spoolPathFor } from "../../engine/session.ts";
import { resolveTools } from "../../engine/tools.ts";
import { builtinPlugins } from "../../plugins/mod.ts";

/** Keeps jpn+eng audio and eng subtitles, drops attachments, h264 → hevc unless already hevc. */
export const ACCEPTANCE_POLICY = (onError = "skip", extra = "") => `schema_version: 13
name: acceptance
config: { audio_languages: [jpn, eng], subtitle_languages: [eng], on_error: ${onError} }
phases:
  - name: filter
    keep_audio: { languages: [jpn, eng], minimum: 1 }
    keep_subtitles: { languages: [eng] }
    filter_attachments: { remove_all: true }
  - name: compress
    transcode:
      video: { to: hevc, crf: 30, preset: ultrafast, skip_if: { codec_matches: [hevc] } }
${extra}`;

export function loaded(text: string, name = "acceptance"): LoadedPolicy {
  const policy = parsePolicy(text, `${name}.yaml`);
  return { policy, name, path: `${name}.yaml`, digest: policyDigest(policy) };
}

export interface EngineFixture {
  dir: string;
  db: Db;
  engine: Engine;
  bus: EventBus;
  close(): Promise<void>;
}

export interface EngineFixtureOptions {
  /** Another ffmpeg (a stand-in that fails or runs at native speed). */
  ffmpeg?: string;
  /** Where the spool goes (default: beside the fixture's database). */
  spoolPath?: string;
  /** Plugins registered after the built-ins. */
  plugins?: VpoPlugin[];
}

/** A fresh temp dir with its own database and engine. */
export async function engineFixture(options: EngineFixtureOptions = {}): Promise<EngineFixture> {
  const dir = mkdtempSync(join(tmpdir(), "vpo-engine-"));
  const opened = await openDatabase(join(dir, "library.db"));
  const registry = createRegistry();
  for (const plugin of [...builtinPlugins(), ...(options.plugins ?? [])]) registry.register(plugin);
  const bus = createEventBus();
  const engine = createEngine({
    db: opened.db, registry, bus, tools: options.ffmpeg ? { ffmpeg: options.ffmpeg } : {}, spoolPath: options.spoolPath ?? spoolPathFor(opened.location),
  });
  return { dir, db: opened.db, engine, bus, close: opened.close };
}

/** An ffmpeg stand-in: fails (exit 1, a message on stderr) when its arguments contain `failOn`, else runs the real one. */
export function failingFfmpeg(dir: string, failOn: string): string {
  const path = join(dir, "ffmpeg-failing.sh");
  writeFileSync(path, `#!/bin/sh\ncase "$*" in *${failOn}*) echo "Unknown encoder '${failOn}' (test stand-in)" >&2; exit 1;; esac\nexec "${resolveTools().ffmpeg}" "$@"\n`);
  chmodSync(path, 0o755);
  return path;
}

/** An ffmpeg that reads its input at native speed (-re): a 2 s file takes 2 s, so there is time to interrupt it. */
export function realtimeFfmpeg(dir: string): string {
  const path = join(dir, "ffmpeg-realtime.sh");
  writeFileSync(path, `#!/bin/sh\nexec "${resolveTools().ffmpeg}" -re "$@"\n`);
  chmodSync(path, 0o755);
  return path;
}

/** Files vpo left behind: temp outputs are hidden and carry ".vpo-". */
export function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.includes(".vpo-"));
}

export const sha256 = async (path: string) => new Bun.CryptoHasher("sha256").update(await Bun.file(path).arrayBuffer()).digest("hex");
