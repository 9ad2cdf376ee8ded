import type { Migration } from "./_types.ts";

export const runsInFlight: Migration = {
    version: 2,
    name: "runs in flight",
    async up(db, t) {
      // One row per file being processed, written before the work starts and removed once its
      // run is recorded: a row left behind means the process died (SIGKILL, power loss) mid-run.
      await db.schema
        .createTable("runs_in_flight")
        .addColumn("run_id", t.text, (c) => c.primaryKey())
        .addColumn("file_path", t.text, (c) => c.notNull())
        .addColumn("temp_prefix", t.text, (c) => c.notNull())
        .addColumn("policy_name", t.text, (c) => c.notNull())
        .addColumn("job_id", t.text)
        .addColumn("host", t.text, (c) => c.notNull())
        .addColumn("pid", "integer", (c) => c.notNull())
        .addColumn("child_pid", "integer")
        .addColumn("phase", t.text)
        .addColumn("size_before", t.bytes)
        .addColumn("started_at", t.text, (c) => c.notNull())
        .execute();
    },
  };
