import type pg from "pg";

export type Send = (config: unknown) => Promise<unknown>;

/**
 * The queries of a connection, sent at once while others are on the wire (pg's pipeline mode)
 * rather than queued until each answer is back: the independent reads of a view given together
 * on one connection (readTogether) and a generic-plan read's SET and RESET (generic_plan.ts) then
 * cost one round trip. Pipeline mode is on only while two or more are in flight: a cursor (a
 * stream, which keeps its portal open across round trips) cannot be pipelined, and runs alone.
 * Every query of the connection but those must go through the returned function, so that the
 * count of those in flight is right.
 */
export function pipelineWhenBusy(client: pg.Client, query: (config: unknown) => unknown): Send {
  const pipelined = client as unknown as { pipeline: boolean };
  let inFlight = 0;
  return (config) => {
    if (inFlight > 0) pipelined.pipeline = true;
    inFlight++;
    return (query(config) as Promise<unknown>).finally(() => {
      if (--inFlight === 0) pipelined.pipeline = false;
    });
  };
}
