import { join } from "node:path";
import { ROOT } from "./_cli.ts";

/**
 * Runs the real CLI on a pseudo-terminal (stdin and stdout are a TTY), answering a `[y/N]`
 * prompt with `answer` when one appears. Colour is on unless `env` sets NO_COLOR.
 */
export async function inTerminal(
  args: string[],
  dataDir: string,
  options: { answer?: string; env?: Record<string, string> } = {},
): Promise<{ code: number; output: string }> {
  let output = "";
  let answered = false;
  const env: Record<string, string | undefined> = { ...process.env, VPO_DATA_DIR: dataDir, VPO_CONFIG: "", VPO_PROFILE: "", ...options.env };
  if (!options.env || !("NO_COLOR" in options.env)) delete env.NO_COLOR;
  const proc = Bun.spawn([process.execPath, join(ROOT, "cli/main.ts"), ...args], {
    cwd: dataDir,
    env,
    terminal: {
      cols: 160,
      rows: 40,
      data(terminal, bytes) {
        output += new TextDecoder().decode(bytes);
        if (options.answer !== undefined && !answered && output.includes("[y/N]")) {
          answered = true;
          terminal.write(options.answer);
        }
      },
    },
  });
  const code = await proc.exited;
  proc.terminal?.close();
  return { code, output };
}
