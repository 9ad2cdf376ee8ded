/**
 * Processing one file by a policy: the policy step through the one run lifecycle. On any
 * failure, verification mismatch, interruption or change of the source meanwhile, the temp
 * files go and the original stays as it was; the run is recorded either way.
 */
import { type FileOutcome, type LifecycleOptions, runLifecycle } from "./lifecycle.ts";
import { policyStep } from "./policy_step.ts";
import type { LoadedPolicy } from "./policy/load.ts";
import type { OnError } from "./policy/schema.ts";
import type { Engine } from "./session.ts";

export interface ProcessFileOptions extends Omit<LifecycleOptions, "policyName"> {
  policy: LoadedPolicy;
  /** Overrides the policy's config.on_error. */
  onError?: OnError;
}

/** Processes one file and records the run (see lifecycle.ts for the guarantees). */
export function processFile(engine: Engine, o: ProcessFileOptions): Promise<FileOutcome> {
  const { policy, onError, ...rest } = o;
  return runLifecycle(engine, policyStep(engine, policy, onError), { ...rest, policyName: policy.name });
}
