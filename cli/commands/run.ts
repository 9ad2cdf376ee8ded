import { statSync } from "node:fs";
import { resolve } from "node:path";
import { defineCommand } from "citty";
import { trace, VpoError } from "../../core/mod.ts";
import { notRegularFile, runCommandJob } from "../../engine/mod.ts";
import { globalArgs } from "../context.ts";
import { openEngineSession } from "../engine_session.ts";
import { renderJson } from "../format.ts";
import { watchInterrupts } from "../interrupt.ts";
import { writeErr, writeOut } from "../stdio.ts";
import { renderRunDetail } from "../views/run_detail.ts";

export const runCommandDef = defineCommand({
  meta: {
    name: "run",
    description: "Run any command on a file, replace the file with its {output} on success, and record the run",
  },
  args: {
    file: { type: "positional", required: true, description: "Media file to process" },
    "policy-name": { type: "string", required: true, description: "Name the run is recorded under" },
    json: { type: "boolean", description: "Print the run record as JSON" },
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    const separator = rawArgs.indexOf("--");
    const command = separator < 0 ? [] : rawArgs.slice(separator + 1);
    if (command.length === 0) {
      throw new VpoError("INVALID_ARGUMENT", "No command given: vpo run <file> --policy-name <name> -- <command with {input} and {output}>");
    }
    const file = resolve(args.file);
    const found = statSync(file, { throwIfNoEntry: false });
    if (found?.isDirectory()) throw new VpoError("INVALID_ARGUMENT", `Cannot run on "${file}": it is a directory (vpo process takes directories)`);
    if (!found) throw new VpoError("FILE_NOT_FOUND", `No such file: "${file}"`);
    if (!found.isFile()) throw notRegularFile(file);
    // Recovered runs are reported on stderr: stdout carries this run's record alone.
    const session = await openEngineSession(args, rawArgs, { json: false, readAhead: file });
    const interrupts = watchInterrupts((signal) => {
      writeErr(`\nvpo: ${signal} received — stopping the command; the temp file is removed and "${file}" left untouched (press Ctrl-C again to quit at once)\n`);
    });
    try {
      const summary = await runCommandJob(session.engine, { file, policyName: args["policy-name"], command, signal: interrupts.signal, bus: session.ctx.bus });
      const failure = summary.errors[0];
      if (failure) throw new VpoError("DB_ERROR", failure.error);
      const { record, stored } = summary.outcomes[0]!;
      writeOut(`${args.json ? renderJson(record) : `${renderRunDetail(record)}\n\nRecorded run ${record.id}`}\n`);
      if (stored.in === "spool") {
        writeErr(`vpo: the database refused run ${record.id} (${stored.error}); it was saved to ${session.engine.spoolPath} and is stored by the next vpo scan, process or run\n`);
        process.exitCode = 1;
      } else if (!record.success) process.exitCode = record.status === "interrupted" ? 130 : 1;
    } finally {
      interrupts.dispose();
      await session.close();
      trace("session closed");
    }
  },
});
