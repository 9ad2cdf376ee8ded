import { join } from "node:path";
import { ROOT, tempDir } from "../cli/_cli.ts";

export interface ServeProcess {
  url: string;
  proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  /** Everything printed so far. */
  output(): string;
  /** Sends a signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number>;
}

/**
 * Runs the real `vpo serve` in a subprocess with its own data dir and waits for the line that
 * names its URL (port 0: the OS picks a free port).
 */
export async function startServe(args: string[], options: { dataDir?: string; env?: Record<string, string> } = {}): Promise<ServeProcess> {
  const dataDir = options.dataDir ?? tempDir("vpo-serve-");
  const proc = Bun.spawn([process.execPath, join(ROOT, "cli/main.ts"), "serve", ...args], {
    cwd: dataDir,
    env: { ...process.env, VPO_DATA_DIR: dataDir, NO_COLOR: "1", VPO_CONFIG: "", VPO_PROFILE: "", VPO_TOKEN: "", ...options.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let out = "";
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) out += decoder.decode(chunk, { stream: true });
  };
  const pumped = Promise.all([pump(proc.stdout), pump(proc.stderr)]);
  const deadline = Date.now() + 15_000;
  let url: string | undefined;
  while (Date.now() < deadline) {
    url = /serving (http:\/\/\S+)/.exec(out)?.[1];
    if (url || proc.exitCode !== null) break;
    await Bun.sleep(25);
  }
  if (!url) {
    proc.kill();
    await pumped;
    throw new Error(`vpo serve did not start (exit ${proc.exitCode}):\n${out}`);
  }
  return {
    url,
    proc,
    output: () => out,
    async stop(signal = "SIGTERM") {
      proc.kill(signal);
      const code = await proc.exited;
      await pumped;
      return code;
    },
  };
}
