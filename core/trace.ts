/**
 * Phase timestamps of one command on stderr when VPO_TRACE is set: where the time of a
 * `vpo run` goes (ms since the process started). Written with one synchronous write each, so
 * tracing touches neither the stdout stream nor the order of the work. Costs nothing otherwise.
 */
import { writeSync } from "node:fs";

const tracing = Boolean(process.env.VPO_TRACE);

/** Notes that `label` is reached now. */
export function trace(label: string): void {
  if (tracing) writeSync(2, `vpo trace ${performance.now().toFixed(1).padStart(7)} ms  ${label}\n`);
}
