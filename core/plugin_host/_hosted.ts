/**
 * Hook handlers that stand in for a plugin running in a worker, each with the call that
 * enforces the hook's budget as a hard deadline (the capture runner passes its budget here).
 */
export type BudgetedCall = (args: unknown[], timeoutMs: number) => Promise<unknown>;

const hosted = new WeakMap<Function, BudgetedCall>();

export function markHosted(handler: Function, call: BudgetedCall): void {
  hosted.set(handler, call);
}

/** The budgeted call behind a stand-in handler; undefined for an in-process handler. */
export function hostedCall(handler: Function): BudgetedCall | undefined {
  return hosted.get(handler);
}
