import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { defineCommand } from "citty";
import { variadic } from "../argv_check.ts";
import { listFiles, VpoError } from "../../core/mod.ts";
import { globalArgs } from "../context.ts";
import { withDatabase } from "../database.ts";
import { renderJson } from "../format.ts";
import { fileJson, renderFiles } from "../views/files.ts";

/** Writes all of `text` before the command returns (an exit right after a large write would cut it at 64 KiB on a pipe). */
function writeStdout(text: string): Promise<void> {
  return new Promise((done, fail) =>
    process.stdout.write(text, (error) => (error && (error as { code?: string }).code !== "EPIPE" ? fail(error) : done())),
  );
}

export const filesCommand = defineCommand({
  meta: { name: "files", description: "What ffprobe saw in each scanned file: container, duration, size, scan status and every stream" },
  args: {
    paths: variadic({ type: "positional", required: false, description: "Only these files, or the files below these directories (default: every file)" }),
    json: { type: "boolean", description: "Print JSON" },
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    // Stored paths are absolute, as scans record them.
    const roots = ((args._ as string[] | undefined) ?? []).map((p) => resolve(p));
    let opened = false;
    await withDatabase(args, rawArgs, async (db) => {
      opened = true;
      const files = await listFiles(db, roots);
      if (files.length === 0) {
        const where = roots.length ? ` at ${roots.map((r) => `"${r}"`).join(", ")}` : "";
        if (roots.length && !roots.some(existsSync)) throw new VpoError("FILE_NOT_FOUND", `No such file or directory${where}, and no scanned files there`);
        throw new VpoError("NO_STATS", `No scanned files${where}. Scan first: vpo scan ${roots.length ? roots.map((r) => JSON.stringify(r)).join(" ") : "PATH"}`);
      }
      await writeStdout(args.json ? `${renderJson(files.map(fileJson))}\n` : `${renderFiles(files)}\n`);
    }).catch((error) => {
      // No database yet: nothing was scanned, which is what this command is about.
      if (!opened && error instanceof VpoError && error.code === "NO_STATS") throw new VpoError("NO_STATS", "No scanned files: nothing has been recorded yet. Scan first: vpo scan PATH");
      throw error;
    });
  },
});
