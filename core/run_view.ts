/**
 * What a plugin sees of a run: a frozen view over state the caller keeps private. Reports are
 * frozen copies in read-only lists, so a plugin cannot change the runner's lists (and with them
 * the record) nor what the plugins after it see. Used by the capture runner for in-process plugins
 * and by the plugin worker for isolated ones.
 */
import type { MediaInfo } from "./media.ts";
import type { ActionReport, PhaseReport, RunContext, RunIntent } from "./plugin.ts";

/** Freezes a value and everything reachable from it (typed arrays cannot be frozen and are left as they are). */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== "object" || Object.isFrozen(value) || ArrayBuffer.isView(value)) return value;
  Object.freeze(value);
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  return value;
}

/** A deep copy nobody else holds, frozen. */
export function frozenCopy<T>(value: T): T {
  return deepFreeze(structuredClone(value));
}

/** The run as its owner keeps it; the view reads it on every access. */
export interface RunState {
  readonly id: string;
  readonly policyName: string;
  readonly jobId: string | null;
  readonly startedAt: Date;
  readonly intent: RunIntent;
  /** The owner's lists, only ever appended to. */
  readonly phases: readonly PhaseReport[];
  readonly actions: readonly ActionReport[];
  filePath(): string;
  outcome(): RunContext["outcome"];
  probe(path?: string): Promise<MediaInfo>;
}

export interface RunView {
  /** The one context object every hook of this run receives. */
  readonly context: RunContext;
  /** The frozen copy of phase `index` that `context.phases` holds: the argument of onPhase. */
  phase(index: number): PhaseReport;
  /** The frozen copy of action `index` that `context.actions` holds: the argument of onAction. */
  action(index: number): ActionReport;
}

const refuse = () => false;
/** Every way to change an object through the proxy fails (a TypeError in strict code). */
const READ_ONLY: ProxyHandler<object> = { set: refuse, defineProperty: refuse, deleteProperty: refuse, setPrototypeOf: refuse, preventExtensions: refuse };

/**
 * A read-only list of frozen copies of an append-only list, each copied once. Like the list it
 * mirrors it grows as the run goes on; a proxy rather than a frozen snapshot per change, so that
 * reading it costs the same after the thousandth action as after the first.
 */
function readOnlyList<T>(source: readonly T[]) {
  const copies: T[] = [];
  const list = new Proxy(copies, READ_ONLY) as readonly T[];
  const sync = () => {
    for (let i = copies.length; i < source.length; i++) copies.push(frozenCopy(source[i]!));
  };
  return {
    list: () => (sync(), list),
    item: (index: number) => (sync(), copies[index]!),
  };
}

/** Creates the read-only view of a run. */
export function createRunView(state: RunState): RunView {
  const phases = readOnlyList(state.phases);
  const actions = readOnlyList(state.actions);
  const startedAt = state.startedAt.getTime();
  const intent = frozenCopy(state.intent);
  let outcomeSeen: RunContext["outcome"] = null;
  let outcomeView: RunContext["outcome"] = null;

  const context: RunContext = Object.freeze({
    id: state.id,
    get filePath() {
      return state.filePath();
    },
    policyName: state.policyName,
    jobId: state.jobId,
    // A Date can be changed in place (setTime): every reader gets its own.
    get startedAt() {
      return new Date(startedAt);
    },
    intent,
    get phases() {
      return phases.list();
    },
    get actions() {
      return actions.list();
    },
    get outcome() {
      const outcome = state.outcome();
      if (outcome !== outcomeSeen) {
        outcomeSeen = outcome;
        outcomeView = outcome && frozenCopy(outcome);
      }
      return outcomeView;
    },
    probe: (path?: string) => state.probe(path),
  });
  return { context, phase: phases.item, action: actions.item };
}
