import * as v from "valibot";
import { compiledOnce } from "../db/compiled_once.ts";
import type { Db } from "../db/handle.ts";
import type { Selectable } from "kysely";
import type { NodesTable } from "../db/schema.ts";
import { phaseTotalsWith, type PhaseTotals } from "./_phase_rollup.ts";
import { breakdownRead } from "./breakdown.ts";
import type { StatsFilter } from "./views.ts";

/** A machine is shown online while its last sign of life (a worker heartbeat, a command's start) is this recent. */
export const NODE_ONLINE_SECONDS = 45;

const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const bytes = v.pipe(v.union([v.pipe(v.number(), v.integer()), v.bigint()]), v.description("Bytes, exact (may exceed 2^53)"));
const nStr = v.nullable(v.string());

/** One machine: who it is, whether it is alive, and its runs under the filters (GET /api/nodes, the dashboard's machines table). */
export const NodeRowSchema = v.object({
  id: v.pipe(nStr, v.description("Stable node id (the data dir's node-id); null for a name seen only on runs")),
  name: v.pipe(nStr, v.description("[node] name, else the host name; null for runs that named no node")),
  hostname: nStr,
  first_seen: nStr,
  last_seen: v.pipe(nStr, v.description("Last heartbeat of a worker, or the last start of a command there")),
  online: v.pipe(v.boolean(), v.description(`Seen within the last ${NODE_ONLINE_SECONDS} s`)),
  version: nStr,
  runs: count,
  successes: count,
  failures: count,
  failure_rate: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
  total_size_saved: bytes,
  avg_encoding_fps: v.pipe(v.nullable(v.number()), v.description("Mean ffmpeg fps over the phases of successful runs that encoded")),
  last_run: nStr,
});
export interface NodeRow extends v.InferOutput<typeof NodeRowSchema> {}

/** What a machine's row reads of its breakdown row: runs, successes, bytes saved, last run. */
const NODE_COLUMNS = ["successes", "size_before_hi", "size_before_lo", "size_after_hi", "size_after_lo", "last_at"] as const;

/** Mean encoding fps per node name over the phases of successful runs in the filter (from phase_rollup). */
const encodingFps = (rows: PhaseTotals[]): Map<string, number> =>
  new Map(rows.filter((r) => r.ok_fps_count > 0).map((r) => [r.key, Math.round((r.ok_fps_sum / r.ok_fps_count) * 10) / 10]));

/**
 * Every machine known to the database — registered ones, and names that only appear on runs —
 * with its liveness and its run totals under `filter` (rows in the order of `vpo stats nodes`,
 * then machines with no runs in the window). With `filter.node`, only that machine. The `runs`
 * add up to the summary's files processed under the same filter.
 */
export async function listNodes(db: Db, filter: StatsFilter = {}, now = Date.now()): Promise<NodeRow[]> {
  // Two round trips at once, on two connections: the totals' one statement, and the phases read
  // together with the machines (in one round trip, all on one connection, the server ran the two
  // halves in turn: 1 ms more at 1M runs).
  const breakdown = breakdownRead(db, "node", filter, NODE_COLUMNS);
  const machines = compiledOnce(db, "the machines by name", [], () => db.selectFrom("nodes").selectAll().orderBy("name").compile());
  const [phases, totalsRows] = await Promise.all([
    phaseTotalsWith(db, filter, "node", [machines], "auto", ["ok_fps_count", "ok_fps_sum"]),
    breakdown.statement === null ? [] : db.executeQuery<Record<string, unknown>>(breakdown.statement).then((result) => result.rows),
  ]);
  const registered = phases.alongside[0] as Selectable<NodesTable>[];
  const totals = await breakdown.finish(totalsRows);
  const fps = encodingFps(phases.totals);
  const byName = new Map(registered.map((n) => [n.name, n]));
  const row = (name: string | null, t: (typeof totals)[number] | null): NodeRow => {
    const n = name === null ? undefined : byName.get(name);
    const runs = t?.files_processed ?? 0;
    return {
      id: n?.id ?? null, name, hostname: n?.hostname ?? null, first_seen: n?.first_seen ?? null, last_seen: n?.last_seen ?? null,
      online: n ? now - Date.parse(n.last_seen) <= NODE_ONLINE_SECONDS * 1000 : false, version: n?.version ?? null,
      runs, successes: t?.successes ?? 0, failures: t?.failures ?? 0, failure_rate: runs === 0 ? 0 : (t?.failures ?? 0) / runs,
      total_size_saved: t?.total_size_saved ?? 0, avg_encoding_fps: fps.get(name ?? "") ?? null, last_run: t?.last_used ?? null,
    };
  };
  const rows = totals.map((t) => row(t.name, t));
  const shown = new Set(totals.map((t) => t.name));
  for (const n of registered) {
    if (!shown.has(n.name) && (filter.node === undefined || filter.node === n.name)) rows.push(row(n.name, null));
  }
  return rows;
}
