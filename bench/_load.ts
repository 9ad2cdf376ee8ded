/** Load generation for the HTTP bench: wrk when installed, else a bounded Bun client. Loopback only. */

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  tool: "wrk" | "bun";
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000 };

function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (host !== "127.0.0.1" && host !== "localhost" && host !== "[::1]") throw new Error(`refusing to load-test a non-loopback target: ${url}`);
}

export const hasWrk = (): boolean => Bun.which("wrk") !== null;

/** wrk -t1 -c<connections> -d<seconds>s --latency <url>: requests/s and latency percentiles. */
export async function runWrk(url: string, connections: number, seconds: number, threads = 1): Promise<LoadResult> {
  assertLoopback(url);
  const proc = Bun.spawn(["wrk", `-t${threads}`, `-c${connections}`, `-d${seconds}s`, "--latency", url], { stdout: "pipe", stderr: "pipe" });
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  const pct = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)`, "m").exec(out);
    return m ? Number(m[1]) * UNIT_MS[m[2]!]! : Number.NaN;
  };
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const errors = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0) + Number(/Socket errors:.*?(\d+)/.exec(out)?.[1] ?? 0);
  return { requests, seconds, rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0), p50Ms: pct("50"), p99Ms: pct("99"), errors, tool: "wrk" };
}

/** A closed-loop Bun client: `connections` loops, each sending the next request when the last answered. */
export async function runBunLoad(url: string | (() => string), connections: number, seconds: number): Promise<LoadResult> {
  const next = typeof url === "string" ? () => url : url;
  assertLoopback(next());
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const started = performance.now();
        try {
          const res = await fetch(next());
          await res.arrayBuffer();
          if (!res.ok) errors++;
        } catch {
          errors++;
        }
        latencies.push(performance.now() - started);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { requests: latencies.length, seconds, rps: latencies.length / seconds, p50Ms: at(0.5), p99Ms: at(0.99), errors, tool: "bun" };
}

/**
 * A paced probe: one request every `intervalMs`, one at a time, like a health checker; measures
 * how long each takes to answer. Unlike a saturating load, it reports whether the server's event
 * loop is free to answer, not how requests queue behind each other.
 */
export async function runPacedProbe(url: string, intervalMs: number, seconds: number): Promise<LoadResult> {
  assertLoopback(url);
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  for (let i = 0; performance.now() - start < seconds * 1000; i++) {
    const sent = performance.now();
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (!res.ok) errors++;
    } catch {
      errors++;
    }
    latencies.push(performance.now() - sent);
    const next = start + (i + 1) * intervalMs;
    if (next > performance.now()) await Bun.sleep(next - performance.now());
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { requests: latencies.length, seconds, rps: latencies.length / seconds, p50Ms: at(0.5), p99Ms: at(0.99), errors, tool: "bun" };
}

/** The median of numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
