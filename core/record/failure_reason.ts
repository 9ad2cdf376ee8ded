/**
 * Error messages differ in numbers and paths more than in cause: the first line, trimmed, is the
 * reason. Stored on each failed run when it is written (processing_stats.failure_reason), so the
 * failures view groups by it in SQL; derived, so no export carries it.
 */
export const failureReason = (message: string | null): string => {
  const line = (message ?? "").split("\n")[0]!.replace(/\s+/g, " ").trim();
  return line === "" ? "(no message)" : line.length > 200 ? `${line.slice(0, 199)}…` : line;
};
