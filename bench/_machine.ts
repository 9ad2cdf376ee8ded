/** What every bench prints: the machine and its load, and figures as median (min–max). */
import { readFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { resolve } from "node:path";

export const VPO_MAIN = resolve(import.meta.dir, "../cli/main.ts");
/** What a user runs: bin/vpo, which starts the bundled CLI when it matches the sources (cli/launch.ts). */
export const VPO_LAUNCHER = resolve(import.meta.dir, "../bin/vpo");

/** Makes sure the bundle bin/vpo starts is built from the sources as they are now; says which it was. */
export async function freshBundle(): Promise<string> {
  const root = resolve(import.meta.dir, "..");
  const { cacheDir, freshEntry } = await import("../cli/bundle/manifest.ts");
  if (freshEntry(cacheDir(root), root)) return "bundle: up to date";
  const { buildBundleLocked } = await import("../cli/bundle/build.ts");
  for (let attempt = 0; attempt < 20 && !freshEntry(cacheDir(root), root); attempt++) {
    if (!(await buildBundleLocked(root))) await Bun.sleep(500); // another start is building it
  }
  if (!freshEntry(cacheDir(root), root)) throw new Error("the bundled CLI could not be built");
  return "bundle: built for this run";
}

/** CPU model (from /proc/cpuinfo), cores, RAM, Bun version. */
export function machine(): string {
  let model = cpus()[0]?.model ?? "unknown CPU";
  try {
    model = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? model;
  } catch {
    // not Linux
  }
  return `${model}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Bun ${Bun.version}`;
}

export const load = (): string => loadavg().map((l) => l.toFixed(2)).join(" ");

/** Prints the machine and load now; call `done()` at the end to print the load then. */
export function announce(title: string): { done(): void } {
  console.log(`${title}\nmachine: ${machine()}\nload average at start: ${load()}`);
  return { done: () => console.log(`load average at end: ${load()}`) };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** "12.3 (11.9–14.0)" — the median and range of `values`, or the single value. */
export function spread(values: number[], digits = 1): string {
  const f = (x: number) => x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  if (values.length === 1) return `${f(values[0]!)} (1 run)`;
  return `${f(median(values))} (${f(Math.min(...values))}–${f(Math.max(...values))})`;
}

export interface ProcessSample {
  ms: number;
  /** CPU time of the process (user + system): less sensitive than wall time to a busy machine. */
  cpuMs: number;
  rssMiB: number;
  stdout: string;
}

/** Runs a command to completion: its wall time, peak RSS and output; throws on a non-zero exit. */
export async function timeProcess(cmd: string[], env: Record<string, string | undefined> = {}, okCodes: number[] = [0]): Promise<ProcessSample> {
  const started = performance.now();
  const proc = Bun.spawn(cmd, { env: { ...process.env, NO_COLOR: "1", ...env }, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  const ms = performance.now() - started;
  if (!okCodes.includes(code)) throw new Error(`${cmd.join(" ")} exited ${code}: ${stderr.slice(0, 2000)}`);
  const usage = proc.resourceUsage();
  return { ms, cpuMs: Number(usage?.cpuTime.total ?? 0n) / 1000, rssMiB: (usage?.maxRSS ?? 0) / 2 ** 20, stdout };
}

/** Starts the real `vpo serve` on `location` (port 0, token "bench") and resolves once it prints its URL. */
export async function serveForBench(location: string, home: string): Promise<{ base: string; stop(): void; exited: Promise<number> }> {
  const server = Bun.spawn([process.execPath, VPO_MAIN, "serve", "--db", location, "--port", "0", "--token", "bench"], {
    env: { ...process.env, VPO_DATA_DIR: home, VPO_CONFIG: "", VPO_PROFILE: "" },
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = server.stdout.getReader();
  let banner = "";
  while (!/serving (\S+)/.test(banner)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`vpo serve exited: ${banner}`);
    banner += new TextDecoder().decode(value);
  }
  return { base: /serving (\S+)/.exec(banner)![1]!, stop: () => server.kill("SIGTERM"), exited: server.exited };
}
