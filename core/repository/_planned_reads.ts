import { compiledOnce } from "../db/compiled_once.ts";
import type { Db } from "../db/handle.ts";
import { type Read, readTogether } from "../db/read_together.ts";
import type { Part } from "./_filters.ts";
import { horizonQuery } from "./retention.ts";

type Rows = Record<string, unknown>[];

/**
 * The rows of the parts of a window, each part's reads in order, and of `alongside` (other reads of
 * the same view): all in one round trip (readTogether) with the retention horizon of `horizonOf`,
 * the parts planned as if there were none. Only when the horizon changes the parts (an edge day
 * before it, whose runs or details are gone: nearly never) are they read again, planned for it.
 * With `horizonOf` null the parts are planned without one (a read of the runs alone).
 */
export async function readPlannedParts(
  db: Db,
  horizonOf: "runs" | "details" | null,
  plan: (horizon: string | null) => Part[],
  readsOf: (parts: Part[]) => Read[],
  alongside: readonly Read[] = [],
): Promise<{ parts: Part[]; rows: Rows[]; alongside: Rows[] }> {
  const guess = plan(null);
  const head = horizonOf === null ? [] : [compiledOnce(db, `the ${horizonOf}' horizon`, [], () => horizonQuery(db, horizonOf).compile())];
  const all = await readTogether(db, [...head, ...alongside, ...readsOf(guess)]);
  const besides = all.slice(head.length, head.length + alongside.length);
  const rows = all.slice(head.length + alongside.length);
  const horizon = horizonOf === null ? null : ((all[0]![0]?.horizon as string | undefined) ?? null);
  if (horizon === null) return { parts: guess, rows, alongside: besides };
  const parts = plan(horizon);
  if (JSON.stringify(parts) === JSON.stringify(guess)) return { parts: guess, rows, alongside: besides };
  return { parts, rows: await readTogether(db, readsOf(parts)), alongside: besides };
}
