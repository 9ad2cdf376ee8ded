import { defineCommand } from "citty";
import { libraryOf, VpoError } from "../../core/mod.ts";
import { discoverMediaFiles, enqueueFiles, type FileToQueue, loadPolicy, parseExtensions } from "../../engine/mod.ts";
import { variadic } from "../argv_check.ts";
import { globalArgs } from "../context.ts";
import { withQueue } from "../queue_session.ts";

/** `--priority`: a whole number, higher first (default 0). */
function parsePriority(value: string | undefined): number {
  if (value === undefined) return 0;
  if (!/^-?\d{1,9}$/.test(value.trim())) throw new VpoError("INVALID_ARGUMENT", `Invalid --priority "${value}": expected a whole number (higher is taken first; default 0)`);
  return Number(value);
}

/** Each file as library + path; a file outside every library is refused, naming the roots. */
function inLibraries(files: readonly string[], libraries: Record<string, string>): FileToQueue[] {
  const out: FileToQueue[] = [];
  const outside: string[] = [];
  for (const file of files) {
    const location = libraryOf(file, libraries);
    if (location) out.push({ ...location, file });
    else outside.push(file);
  }
  if (outside.length > 0) {
    const roots = Object.entries(libraries).map(([name, root]) => `${name} = "${root}"`);
    const which = `"${outside[0]}"${outside.length > 1 ? ` and ${outside.length - 1} more file(s)` : ""}`;
    throw new VpoError(
      "INVALID_ARGUMENT",
      `${which} ${outside.length > 1 ? "are" : "is"} outside every library (${roots.length ? `[libraries]: ${roots.join(", ")}` : "no [libraries] are configured"}): a queued file is named by its library, so that every machine finds it under its own mount. Add the root to [libraries] in the config; nothing was queued`,
    );
  }
  return out;
}

export const enqueueCommand = defineCommand({
  meta: { name: "enqueue", description: "Queue media files for `vpo worker` on any machine (PostgreSQL): one job per file" },
  args: {
    paths: variadic({ type: "positional", required: true, description: "Files or directories inside a [libraries] root" }),
    policy: { type: "string", required: true, description: "Policy file, or the name of one in ~/.vpo/policies/ (its rules travel with each job)" },
    priority: { type: "string", description: "Higher is taken first (default 0)" },
    ext: { type: "string", description: "Extensions to look for in directories (default mkv,mp4,m4v,avi,mov,webm,ts,m2ts)" },
    json: { type: "boolean", description: "Print the counts as JSON" },
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    const paths = (args._ as string[] | undefined)?.length ? (args._ as string[]) : [args.paths as string];
    const priority = parsePriority(args.priority);
    const extensions = parseExtensions(args.ext);
    await withQueue(args, rawArgs, "vpo enqueue", async (queue, db, ctx) => {
      const policy = loadPolicy(args.policy);
      const { files } = discoverMediaFiles(paths, extensions);
      const located = inLibraries(files.map((f) => f.path), ctx.config.libraries ?? {});
      const summary = await enqueueFiles(queue, db, { files: located, policy, priority });
      if (args.json) process.stdout.write(`${JSON.stringify({ policy: policy.name, ...summary })}\n`);
      else {
        process.stdout.write(
          `${summary.files} media file(s) for policy "${policy.name}": ${summary.queued} queued, ${summary.already_queued} already queued or running, ${summary.already_processed} already processed\n`,
        );
        if (summary.queued > 0) process.stdout.write("Start `vpo worker` on each machine to process them; `vpo queue` shows how far they are.\n");
      }
    }, { write: true });
  },
});
