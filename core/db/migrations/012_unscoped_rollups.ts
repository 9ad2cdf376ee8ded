import { type CreateTableBuilder, sql } from "kysely";
import type { Migration, MigrationContext } from "./_types.ts";

/** A value column: its type and how rows of one key merge in it. */
type Value = [name: string, type: "bytes" | "seconds" | "text", merge: "sum" | "min" | "max", nullable?: true];

const counted = (name: string): Value => [name, "bytes", "sum"];

/** Each rollup as this migration knows it: its own keys beside the scope, and its values. */
const ROLLUPS: { table: string; keys: string[]; values: Value[] }[] = [
  {
    table: "stats_rollup",
    keys: [],
    values: [
      ...["runs", "successes", "failures", "interruptions", "size_before_hi", "size_before_lo", "size_after_hi", "size_after_lo", "audio_removed", "subtitles_removed",
        "attachments_removed", "videos_transcoded", "videos_skipped", "audio_transcoded", "hardware_encodes", "software_encodes"].map(counted),
      ["duration_sum", "seconds", "sum"],
      counted("duration_count"),
      ...Array.from({ length: 12 }, (_, i) => counted(`duration_le_${i}`)),
      ["first_at", "text", "min"],
      ["last_at", "text", "max"],
    ],
  },
  { table: "codec_rollup", keys: ["codec_before", "codec_after"], values: [counted("runs")] },
  {
    table: "metric_rollup",
    keys: ["plugin", "key"],
    values: [counted("num_count"), counted("text_count"), ["num_sum", "seconds", "sum"], ["num_min", "seconds", "min", true], ["num_max", "seconds", "max", true]],
  },
  {
    table: "phase_rollup",
    keys: ["phase_name"],
    values: [
      counted("runs"), ["total_seconds", "seconds", "sum"], ["max_seconds", "seconds", "max", true], counted("fps_count"), ["fps_sum", "seconds", "sum"],
      counted("ok_fps_count"), ["ok_fps_sum", "seconds", "sum"],
    ],
  },
];

/** [scoped tier's suffix, its unscoped twin's]. */
const TWINS = [["", "_unscoped"], ["_month", "_unscoped_month"]] as const;

/**
 * The unscoped twins of the day and month tiers of every rollup: the same sums keyed by day (month)
 * and the rollup's own keys, without policy, library and node. A view with no scope filter read
 * every scope's rows of a day and added them up (at a million runs over two years, ~20,000 metric
 * rows for the metrics view); it reads a row per day (month) and key now. Filled here from the
 * scoped rows in SQL (days before a retention horizon have no runs to rebuild them from).
 */
export const unscopedRollups: Migration = {
  version: 12,
  name: "unscoped day and month tiers of the rollups",
  async up(db, t) {
    for (const { table, keys, values } of ROLLUPS) {
      for (const [scoped, twin] of TWINS) {
        const name = `${table}${twin}`;
        let create = ["day", ...keys].reduce<CreateTableBuilder<string, string>>((b, k) => b.addColumn(k, t.text, (c) => c.notNull()), db.schema.createTable(name));
        for (const [column, type, , nullable] of values) create = create.addColumn(column, columnType(t, type), (c) => (nullable ? c : type === "text" ? c.notNull() : c.notNull().defaultTo(0)));
        await create.addPrimaryKeyConstraint(`${name}_pk`, ["day", ...keys]).execute();
        const columns = ["day", ...keys, ...values.map(([c]) => c)];
        const aggregates = values.map(([c, , merge]) => sql`${sql.raw(merge)}(${sql.ref(c)})`);
        const grouped = ["day", ...keys].map((c) => sql.ref(c));
        await sql`insert into ${sql.table(name)} (${sql.join(columns.map((c) => sql.ref(c)))})
          select ${sql.join([...grouped, ...aggregates])} from ${sql.table(`${table}${scoped}`)} group by ${sql.join(grouped)}`.execute(db);
      }
    }
  },
};

const columnType = (t: MigrationContext, type: Value[1]) => (type === "text" ? t.text : t[type]);
