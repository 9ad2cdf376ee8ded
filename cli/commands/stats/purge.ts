import { createInterface } from "node:readline";
import { defineCommand } from "citty";
import { parseTimeBound, type PurgeCounts, purgeRuns, VpoError } from "../../../core/mod.ts";
import { globalArgs } from "../../context.ts";
import { renderJson } from "../../format.ts";
import { describePurge, renderPurgeCounts } from "../../views/purge.ts";
import { formatArg, withDatabase } from "./_shared.ts";

export const purgeCommand = defineCommand({
  meta: { name: "purge", description: "Delete runs (with their actions, phases and plugin metrics) before a date, of a policy, or all" },
  args: {
    before: { type: "string", description: "Runs before this time (ISO date/datetime or 30m, 24h, 7d, 2w ago)" },
    policy: { type: "string", description: "Runs of this policy (with --before: both must hold)" },
    all: { type: "boolean", description: "Every run" },
    "dry-run": { type: "boolean", description: "Show what would be deleted; delete nothing" },
    yes: { type: "boolean", description: "Do not ask for confirmation" },
    format: formatArg(["table", "json"]),
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    const criteria = {
      before: args.before === undefined ? undefined : parseTimeBound(args.before, "since", undefined, "--before"),
      policy: args.policy,
      all: args.all || undefined,
    };
    const dryRun = Boolean(args["dry-run"]);
    const what = describePurge(criteria);
    const write = (text: string) => process.stdout.write(`${text}\n`);
    const json = (deleted: boolean, counts: PurgeCounts) =>
      renderJson({ dry_run: dryRun, deleted, criteria: { before: criteria.before ?? null, policy: criteria.policy ?? null, all: Boolean(criteria.all) }, counts });
    await withDatabase(args, rawArgs, async (db) => {
      // Counting first also checks the criteria, so a bad combination is reported before anything else.
      const planned = await purgeRuns(db, { ...criteria, dryRun: true });
      if (planned.processing_stats === 0) {
        return write(args.format === "json" ? json(false, planned) : `Nothing to delete: no ${what === "every run" ? "runs" : what} are recorded.`);
      }
      if (dryRun) {
        return write(args.format === "json" ? json(false, planned) : `${renderPurgeCounts(`Would delete (${what}):`, planned)}\nDry run: nothing was deleted.`);
      }
      if (!args.yes) {
        // A script must not hang on a prompt it cannot answer.
        if (!process.stdin.isTTY) {
          throw new VpoError("INVALID_ARGUMENT", "Refusing to purge without confirmation: not on a terminal. Pass --yes to delete, or --dry-run to only count.");
        }
        if (args.format !== "json") write(renderPurgeCounts(`About to delete (${what}):`, planned));
        if (!(await confirm("Delete these? [y/N] "))) {
          process.stderr.write("Nothing deleted.\n");
          process.exitCode = 1;
          return;
        }
      }
      const counts = await purgeRuns(db, criteria);
      write(args.format === "json" ? json(true, counts) : renderPurgeCounts(`Deleted (${what}):`, counts));
    }, { access: dryRun ? "read" : "write" });
  },
});

/** Asks on the terminal; anything but y/yes (including Ctrl-D) is a no. */
function confirm(question: string): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    let answered = false;
    rl.on("close", () => answered || resolve(false));
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      resolve(/^y(es)?$/i.test(answer.trim()));
    });
  });
}
