/**
 * Third-party plugins run each in its own Worker: a hook that never returns is stopped at its
 * deadline, process.exit cannot end vpo, and the plugin only ever holds copies of the run.
 */
export { hostPlugin, type HostOptions } from "./host.ts";
export { hostedCall, type BudgetedCall } from "./_hosted.ts";
