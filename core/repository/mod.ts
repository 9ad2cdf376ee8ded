/** Stats repository: every read and write of run records, shared by the CLI and the server. */
export { recordRun, recordRuns } from "./record.ts";
