/**
 * Several "machines" for queue tests: each its own data dir and config (`[node] name`, the shared
 * PostgreSQL database, `[libraries]`), all on this host. Workers are real `vpo worker`
 * subprocesses; their NDJSON events are collected. Queue timings are short so a lapsed lease is
 * taken over in seconds (pg-boss's shortest lease is 10 s).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openDatabase, type OpenedDatabase } from "../../core/mod.ts";
import { resolveTools } from "../../engine/tools.ts";
import { type CliResult, ROOT, tempDir, vpo } from "../cli/_cli.ts";

export const TEST_QUEUE = { heartbeat_seconds: 10, check_interval_seconds: 1, retry_limit: 2, retry_delay_seconds: 1, stop_timeout_seconds: 30 };

export interface Machine {
  name: string;
  dataDir: string;
  env: Record<string, string>;
}

/** A machine named `name` on database `url` with library `movies` at `library`. */
export function machine(name: string, o: { url: string; library: string; queue?: Partial<typeof TEST_QUEUE>; ffmpeg?: string }): Machine {
  const dataDir = tempDir(`vpo-${name}-`);
  const queue = { ...TEST_QUEUE, ...o.queue };
  const config = join(dataDir, "config.toml");
  writeFileSync(config, [
    `[database]\nurl = "${o.url}"`,
    `[node]\nname = "${name}"`,
    `[libraries]\nmovies = "${o.library}"`,
    `[queue]\n${Object.entries(queue).map(([k, v]) => `${k} = ${v}`).join("\n")}`,
    o.ffmpeg ? `[tools]\nffmpeg = "${o.ffmpeg}"` : "",
  ].join("\n\n"));
  return { name, dataDir, env: { VPO_CONFIG: config } };
}

/** The CLI on a machine. */
export const on = (m: Machine, args: string[]): Promise<CliResult> => vpo(args, { dataDir: m.dataDir, env: m.env });

export interface WorkerProcess {
  machine: Machine;
  proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  events: Record<string, any>[];
  output(): string;
  /** Resolves with the first event (so far or to come) that `match` accepts. */
  waitFor(match: (e: Record<string, any>) => boolean, what: string, timeoutMs?: number): Promise<Record<string, any>>;
  stop(signal?: NodeJS.Signals): Promise<number>;
}

/** Starts `vpo worker --json` on a machine and waits until it takes jobs. */
export async function startWorker(m: Machine, args: string[] = []): Promise<WorkerProcess> {
  const proc = Bun.spawn([process.execPath, join(ROOT, "cli/main.ts"), "worker", "--json", ...args], {
    cwd: m.dataDir, env: { ...process.env, VPO_DATA_DIR: m.dataDir, NO_COLOR: "1", VPO_PROFILE: "", ...m.env }, stdin: "ignore", stdout: "pipe", stderr: "pipe",
  });
  let out = "";
  let err = "";
  const events: Record<string, any>[] = [];
  const pump = async (stream: ReadableStream<Uint8Array>, into: (text: string) => void) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) into(decoder.decode(chunk, { stream: true }));
  };
  void pump(proc.stdout, (t) => {
    out += t;
    const lines = out.split("\n");
    out = lines.pop()!;
    for (const line of lines) if (line.trim()) events.push(JSON.parse(line));
  });
  void pump(proc.stderr, (t) => (err += t));
  const worker: WorkerProcess = {
    machine: m, proc, events,
    output: () => `${events.map((e) => JSON.stringify(e)).join("\n")}\n${out}\nstderr:\n${err}`,
    async waitFor(match, what, timeoutMs = 60_000) {
      const found = await waitUntil(() => events.find(match) ?? (proc.exitCode !== null ? Promise.reject(new Error(`worker ${m.name} exited ${proc.exitCode} while waiting for ${what}:\n${worker.output()}`)) : null), what, timeoutMs);
      return found!;
    },
    async stop(signal = "SIGTERM") {
      proc.kill(signal);
      return proc.exited;
    },
  };
  await worker.waitFor((e) => e.event === "worker.started", `worker ${m.name} to start`, 120_000);
  return worker;
}

/** Polls `check` until it returns something other than null/undefined/false; fails naming `what` after `timeoutMs`. */
export async function waitUntil<T>(check: () => T | null | undefined | false | Promise<T | null | undefined | false>, what: string, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null && value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(everyMs);
  }
}

/** A real h264 + aac clip of `seconds` at 640x360 (long enough to be mid-transcode when its worker is killed). */
export async function longClip(dir: string, name: string, seconds: number): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  const proc = Bun.spawn([
    resolveTools().ffmpeg, "-hide_banner", "-nostdin", "-v", "error", "-y",
    "-f", "lavfi", "-i", `testsrc=size=640x360:rate=25:duration=${seconds}`, "-f", "lavfi", "-i", `sine=frequency=440:duration=${seconds}`,
    "-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-metadata:s:a:0", "language=eng", path,
  ], { stdout: "ignore", stderr: "pipe" });
  if ((await proc.exited) !== 0) throw new Error(`ffmpeg failed making ${name}: ${await new Response(proc.stderr).text()}`);
  return path;
}

/** The shared database, opened by the test to look at runs and markers. */
export const openShared = (url: string): Promise<OpenedDatabase> => openDatabase(url);
