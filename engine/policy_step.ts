/**
 * The step of `vpo process`: plan the file by a policy, run one ffmpeg pass per phase that
 * changes something, and verify that the output has exactly the planned streams and the
 * source's duration before it may replace the original.
 */
import { basename, dirname, extname, join } from "node:path";
import { getLogger } from "@logtape/logtape";
import { errorMessage, VpoError } from "../core/mod.ts";
import { executePlan } from "./execute.ts";
import { planFile } from "./plan/plan.ts";
import type { MediaState } from "./plan/types.ts";
import type { LoadedPolicy } from "./policy/load.ts";
import type { OnError } from "./policy/schema.ts";
import type { Engine } from "./session.ts";
import type { RunStep } from "./step.ts";
import { verifyOutput } from "./verify.ts";

const log = getLogger(["vpo", "engine", "plan"]);

/**
 * The policy's ffmpeg passes as a lifecycle step. `onError` overrides the policy's
 * config.on_error for how a failed phase is handled.
 */
export function policyStep(engine: Engine, loaded: LoadedPolicy, onError: OnError = loaded.policy.config.on_error): RunStep {
  return {
    phasesTotal: loaded.policy.phases.length,
    policyDigest: loaded.digest,
    plan(source) {
      const info = source.info;
      if (!info) throw source.probeError;
      const plan = planFile(info, loaded.policy);
      const file = source.path;
      for (const phase of plan.phases) {
        log.debug("Phase {phase}: {count} decision(s), {what}", { phase: phase.name, count: phase.actions.length, what: phase.changes ? "an ffmpeg pass" : "nothing to change" });
        for (const a of phase.actions) {
          log.debug("  {action} {track}: {message} (rule {rule})", {
            action: a.type, track: a.trackType ? `${a.trackType} #${a.trackIndex ?? "?"}` : "file", message: a.message ?? "", rule: a.rule ?? "none", phase: phase.name,
          });
        }
      }
      let expected: MediaState | null = null;
      return {
        intent: plan.intent,
        outputs: plan.changes ? Math.min(plan.phases.filter((p) => p.changes).length, 2) : 0,
        finalPath: plan.finalPath,
        async execute(ctx) {
          const result = await executePlan({ engine, ctx, plan, sourceInfo: info, policy: loaded.policy, onError });
          if (!plan.changes) return { output: null };
          if (!result.output) throw new VpoError("COMMAND_FAILED", `${result.failures.join("; ")}; "${file}" was left untouched`, { details: result.lastFailure });
          expected = result.expected;
          // A failed container phase (on_error: continue) leaves the extension as it was.
          const ext = result.expected.ext === plan.source.ext ? extname(file) : result.expected.ext;
          return {
            output: result.output,
            finalPath: join(dirname(file), basename(file, extname(file)) + ext),
            failure: result.failures.length > 0 ? `${result.failures.join("; ")}; the other phases were applied (on_error: continue)` : null,
            failureDetail: result.lastFailure,
          };
        },
        async verify(output) {
          const actual = await engine.probe(output).catch((error) => {
            throw new VpoError("VERIFY_FAILED", `Output failed verification (ffprobe cannot read it: ${errorMessage(error)}); "${file}" was left untouched`);
          });
          const problems = verifyOutput(expected!, info.durationSeconds, actual);
          if (problems.length > 0) throw new VpoError("VERIFY_FAILED", `Output failed verification: ${problems.join("; ")}; "${file}" was left untouched`);
        },
      };
    },
  };
}
