/**
 * Two `vpo serve` processes on one PostgreSQL: a run posted to either reaches the other's event
 * stream within 2 s (through the run feed: LISTEN/NOTIFY, with a catch-up read).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { ROOT, tempDir } from "../cli/_cli.ts";
import { pgCluster, pgUnavailable } from "../pg_cluster.ts";

interface Served {
  url: string;
  proc: ReturnType<typeof Bun.spawn>;
}

async function serve(db: string): Promise<Served> {
  const dir = tempDir();
  const proc = Bun.spawn([process.execPath, join(ROOT, "cli/main.ts"), "--db", db, "serve", "--port", "0", "--token", "t0k"], {
    cwd: dir, env: { ...process.env, VPO_DATA_DIR: dir, NO_COLOR: "1", VPO_CONFIG: "" }, stdout: "pipe", stderr: "pipe",
  });
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
  let text = "";
  while (!/serving (http\S+)/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`vpo serve did not start: ${text}${await new Response(proc.stderr as ReadableStream).text()}`);
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return { url: /serving (http\S+)/.exec(text)![1]!, proc };
}

/**
 * Opens the event stream. `seen(id)` resolves when the run.recorded event for `id` arrives; other
 * runs' events (a run posted by an earlier test reaching this server late) are passed over.
 */
function runEvents(url: string): { ready: Promise<void>; seen(id: string): Promise<number>; close(): void } {
  const controller = new AbortController();
  const arrivals = new Map<string, number>();
  const waiters = new Map<string, (at: number) => void>();
  let ready!: () => void;
  const readyP = new Promise<void>((resolve) => (ready = resolve));
  void (async () => {
    const res = await fetch(`${url}/api/events`, { signal: controller.signal });
    const reader = res.body!.getReader();
    let text = "";
    ready();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      text += new TextDecoder().decode(value);
      for (let match; (match = /event: run\.recorded\ndata: (.+)\n/.exec(text)); text = text.slice(match.index + match[0].length)) {
        const id = JSON.parse(match[1]!).id as string;
        const at = performance.now();
        arrivals.set(id, at);
        waiters.get(id)?.(at);
      }
    }
  })().catch(() => {});
  return {
    ready: readyP,
    seen: (id) => (arrivals.has(id) ? Promise.resolve(arrivals.get(id)!) : new Promise((resolve) => waiters.set(id, resolve))),
    close: () => controller.abort(),
  };
}

const skip = pgUnavailable();
describe.skipIf(skip !== null && process.env.CI !== "true")(`two servers on one PostgreSQL${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let a: Served;
  let b: Served;
  beforeAll(async () => {
    const db = await pgCluster().createDatabase();
    a = await serve(db);
    b = await serve(db);
  });
  afterAll(async () => {
    for (const s of [a, b]) s?.proc.kill("SIGTERM");
    await Promise.all([a?.proc.exited, b?.proc.exited]);
  });

  for (const [from, to] of [["a", "b"], ["b", "a"]] as const) {
    test(`a run posted to server ${from} is streamed by server ${to} within 2 s`, async () => {
      const [poster, watcher] = from === "a" ? [a, b] : [b, a];
      const stream = runEvents(watcher.url);
      await stream.ready;
      const posted = performance.now();
      const res = await fetch(`${poster.url}/api/stats/runs`, {
        method: "POST", headers: { authorization: "Bearer t0k" },
        body: JSON.stringify({ file_path: `/m/${from}.mkv`, processed_at: new Date().toISOString(), policy_name: `via-${from}`, success: true }),
      });
      expect(res.status).toBe(201);
      const { id } = await res.json();
      const at = await Promise.race([stream.seen(id), Bun.sleep(5_000).then(() => null)]);
      stream.close();
      expect(at).not.toBeNull();
      expect(at! - posted).toBeLessThan(2_000);
    }, 30_000);
  }
});
