import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { getLogger, withContext } from "@logtape/logtape";
import * as v from "valibot";
import { VpoError, errorMessage } from "./errors.ts";
import type { MediaInfo, ProbeFn } from "./media.ts";
import type { ActionReport, HookName, PhaseReport, RunContext, RunIntent } from "./plugin.ts";
import { hostedCall } from "./plugin_host/mod.ts";
import { checkMetrics, flattenMetrics } from "./plugin_output.ts";
import { MetricKeySchema, MetricValueSchema, type PluginError, RUN_FACT_KEYS, RUN_LIMITS, RunRecordSchema, type MetricValue, type RunRecord, normalizeRunRecord } from "./record/mod.ts";
import type { PluginRegistry, ResolvedHook } from "./registry.ts";
import { createRunView, deepFreeze } from "./run_view.ts";
import { describeIssues } from "./validation.ts";

const log = getLogger(["vpo", "capture"]);

/** Default time budget of one hook call. */
export const DEFAULT_HOOK_TIMEOUT_MS = 30_000;

export interface CaptureOptions {
  registry: PluginRegistry;
  /** How plugins read media files; supplied by the engine. */
  probe: ProbeFn;
  hookTimeoutMs?: number;
}

export interface BeginOptions {
  filePath: string;
  policyName: string;
  jobId?: string | null;
  /** The machine doing the work (`[node] name`). */
  node?: string | null;
  /** The library the file belongs to (`[libraries]`). */
  library?: string | null;
  /** sha256 of the policy's content: a file already processed by the same policy is skipped. */
  policyDigest?: string | null;
  intent?: RunIntent;
  /** Phases the run plans to execute; phases_completed never exceeds it. */
  phasesTotal?: number;
  id?: string;
}

export interface PhaseResultInput {
  bytesRead?: number | null;
  bytesWritten?: number | null;
  encodingFps?: number | null;
  encodingBitrate?: number | null;
  success?: boolean;
}

export interface PhaseTimer {
  /** Stops the clock and runs the onPhase hooks. */
  end(result?: PhaseResultInput): Promise<PhaseReport>;
}

export interface RunOutcome {
  success: boolean;
  error?: unknown;
  status?: "success" | "failed" | "interrupted";
}

/** A run in progress: the engine reports phases and actions, then finishes it into one record. */
export interface ActiveRun {
  readonly context: RunContext;
  startPhase(name: string): PhaseTimer;
  action(report: Partial<ActionReport> & { type: string }): Promise<void>;
  /**
   * The file now lives at `path` (a container change gave it a new extension): afterRun hooks,
   * `run.probe()` and the record see the new path.
   */
  moveTo(path: string): void;
  /** Runs afterRun hooks and assembles the record; never throws for plugin problems. */
  finish(outcome: RunOutcome): Promise<RunRecord>;
}

export interface Capture {
  begin(options: BeginOptions): Promise<ActiveRun>;
}

const FACT_SCHEMAS = RunRecordSchema.entries;
const FACT_KEYS: readonly string[] = RUN_FACT_KEYS;
/** Codes a failed hook call is recorded under; anything else a hook throws is PLUGIN_HOOK_FAILED. */
const CALL_CODES: readonly string[] = ["PLUGIN_TIMEOUT", "PLUGIN_STOPPED", "PLUGIN_INVALID_OUTPUT"];

/** Calls an in-process hook with a time budget: past it the run goes on without waiting for it. */
async function callInProcess(handler: ResolvedHook["handler"], args: unknown[], timeoutMs: number): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      Promise.resolve().then(() => handler(...args)),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new VpoError("PLUGIN_TIMEOUT", `exceeded its time budget of ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Creates the capture runner: it carries one run of one file through
 * beforeRun → onPhase/onAction → afterRun and assembles one record. Hook failures and
 * timeouts are recorded on the run as plugin errors; they never abort processing.
 */
export function createCapture(options: CaptureOptions): Capture {
  const { registry } = options;
  const timeoutMs = options.hookTimeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS;

  return {
    async begin(begin) {
      const errors: PluginError[] = [];
      // The runner's own lists: plugins only ever see frozen copies of them (core/run_view.ts).
      const phases: PhaseReport[] = [];
      const actions: ActionReport[] = [];
      const probes = new Map<string, Promise<MediaInfo>>();
      let outcome: RunContext["outcome"] = null;
      let filePath = resolve(begin.filePath);

      const view = createRunView({
        id: begin.id ?? Bun.randomUUIDv7(),
        policyName: begin.policyName,
        jobId: begin.jobId ?? null,
        startedAt: new Date(),
        intent: begin.intent ?? {},
        phases,
        actions,
        filePath: () => filePath,
        outcome: () => outcome,
        async probe(path: string = filePath) {
          // A file that cannot be stat'ed goes straight to the probe, which reports it properly.
          const info = await stat(path).catch(() => null);
          if (!info) return options.probe(path);
          const key = `${path}\0${info.size}\0${info.mtimeMs}`;
          // Frozen: every plugin gets the same cached object, none may change it for the others.
          if (!probes.has(key)) probes.set(key, options.probe(path).then(deepFreeze));
          return probes.get(key)!;
        },
      });
      const context = view.context;

      async function invoke(hook: ResolvedHook, hookName: HookName, args: unknown[]): Promise<unknown> {
        try {
          // A plugin in a worker is stopped at the deadline; an in-process one can only be abandoned.
          const call = hostedCall(hook.handler);
          // What the plugin logs (and what is logged about it) names it.
          return await withContext({ plugin: hook.plugin.name }, () => (call ? call(args, timeoutMs) : callInProcess(hook.handler, args, timeoutMs)));
        } catch (error) {
          const code = error instanceof VpoError && CALL_CODES.includes(error.code) ? error.code : "PLUGIN_HOOK_FAILED";
          recordError(hook.plugin.name, hookName, code, errorMessage(error), error);
          return undefined;
        }
      }

      function recordError(plugin: string, hook: string, code: string, message: string, cause?: unknown) {
        errors.push({ plugin, hook, code, message: `Plugin "${plugin}" failed in hook "${hook}": ${message}` });
        // Recorded on the run and shown with it; the log line is for whoever follows the logs.
        log.info("Plugin {plugin} failed in {hook}: {message}", { plugin, hook, code, message, run_id: context.id, file: filePath, cause: String(cause ?? "") });
      }

      async function runHooks(hookName: HookName, ...args: unknown[]) {
        const results: { hook: ResolvedHook; value: unknown }[] = [];
        for (const hook of registry.hooks(hookName)) results.push({ hook, value: await invoke(hook, hookName, [context, ...args]) });
        return results;
      }

      await runHooks("beforeRun");

      return {
        context,
        startPhase(name) {
          const startedAt = new Date();
          const started = performance.now();
          return {
            async end(result = {}) {
              const report: PhaseReport = {
                index: phases.length,
                name,
                startedAt,
                wallTimeSeconds: (performance.now() - started) / 1000,
                bytesRead: result.bytesRead ?? null,
                bytesWritten: result.bytesWritten ?? null,
                encodingFps: result.encodingFps ?? null,
                encodingBitrate: result.encodingBitrate ?? null,
                success: result.success ?? true,
              };
              phases.push(report);
              await runHooks("onPhase", view.phase(report.index));
              return report;
            },
          };
        },
        async action(input) {
          const report: ActionReport = {
            type: input.type,
            trackType: input.trackType ?? null,
            trackIndex: input.trackIndex ?? null,
            before: input.before ?? null,
            after: input.after ?? null,
            success: input.success ?? true,
            durationMs: input.durationMs ?? null,
            rule: input.rule ?? null,
            message: input.message ?? null,
          };
          actions.push(report);
          await runHooks("onAction", view.action(actions.length - 1));
        },
        moveTo(path) {
          filePath = resolve(path);
        },
        async finish(result) {
          const status = result.status ?? (result.success ? "success" : "failed");
          const error = result.error === undefined ? null : errorMessage(result.error);
          outcome = { success: result.success, status, error };
          const facts: Record<string, unknown> = {};
          const pluginMetrics: Record<string, Record<string, MetricValue>> = {};
          let storedMetrics = 0;

          for (const { hook, value } of await runHooks("afterRun")) {
            if (value === undefined || value === null) continue;
            const plugin = hook.plugin;
            const checked = checkMetrics(plugin, value);
            if (!checked.ok) {
              recordError(plugin.name, "afterRun", "PLUGIN_INVALID_OUTPUT", checked.message);
              continue;
            }
            const flat = flattenMetrics(checked.output);
            // Checked against the record's bounds here, so one bad metric costs only itself, never the run's record.
            const refused: string[] = [];
            for (const [key, metric] of Object.entries(flat)) {
              if (!FACT_KEYS.includes(key)) {
                const problem = metricProblem(key, metric, storedMetrics);
                if (problem) refused.push(problem);
                else {
                  (pluginMetrics[plugin.name] ??= {})[key] = metric;
                  storedMetrics++;
                }
                continue;
              }
              // A typed fact is taken only from the plugin that owns it: no plugin can overwrite another's.
              const owner = registry.factOwner(key);
              if (owner !== plugin) {
                const whose = owner ? `a run fact owned by plugin "${owner.name}"` : 'a run fact it does not own (declare it in "facts")';
                recordError(plugin.name, "afterRun", "PLUGIN_FACT_NOT_OWNED", `returned "${key}", ${whose}; the value was ignored`);
                continue;
              }
              const check = v.safeParse(FACT_SCHEMAS[key as keyof typeof FACT_SCHEMAS], metric);
              if (check.success) facts[key] = metric;
              else recordError(plugin.name, "afterRun", "PLUGIN_INVALID_OUTPUT", `${key}: ${describeIssues(check.issues).join("; ")}`);
            }
            if (refused.length > 0) {
              const more = refused.length > 3 ? ` (and ${refused.length - 3} more)` : "";
              recordError(plugin.name, "afterRun", "PLUGIN_INVALID_OUTPUT", `metrics not recorded: ${refused.slice(0, 3).join("; ")}${more}`);
            }
          }

          const completed = phases.filter((p) => p.success).length;
          const record = {
            id: context.id,
            file_path: filePath,
            processed_at: new Date().toISOString(),
            policy_name: context.policyName,
            job_id: context.jobId,
            node: begin.node ?? null,
            library: begin.library ?? null,
            policy_digest: begin.policyDigest ?? null,
            status,
            success: result.success,
            error_message: error,
            ...facts,
            phases_completed: completed,
            phases_total: Math.max(begin.phasesTotal ?? phases.length, completed),
            actions: actions.map((a) => ({
              action_type: a.type,
              track_type: a.trackType,
              track_index: a.trackIndex,
              before_state: a.before,
              after_state: a.after,
              success: a.success,
              duration_ms: a.durationMs,
              rule_reference: a.rule,
              message: a.message,
            })),
            phases: phases.map((p) => ({
              phase_name: p.name,
              wall_time_seconds: p.wallTimeSeconds,
              bytes_read: p.bytesRead,
              bytes_written: p.bytesWritten,
              encoding_fps: p.encodingFps,
              encoding_bitrate: p.encodingBitrate,
            })),
            plugin_metrics: pluginMetrics,
            plugin_errors: errors,
          };
          return normalizeRunRecord(record, `Cannot assemble run record for "${filePath}"`);
        },
      };
    },
  };
}

/**
 * Runs `work` inside a captured run: success when it resolves, a failed record carrying the
 * error when it throws. Either way one record comes back.
 */
export async function runCapture(
  capture: Capture,
  options: BeginOptions,
  work: (run: ActiveRun) => Promise<void | RunOutcome>,
): Promise<RunRecord> {
  const run = await capture.begin(options);
  let outcome: RunOutcome;
  try {
    outcome = (await work(run)) ?? { success: true };
  } catch (error) {
    outcome = { success: false, error, status: error instanceof VpoError && error.code === "INTERRUPTED" ? "interrupted" : "failed" };
  }
  return run.finish(outcome);
}

/** Why a plugin metric cannot be recorded (past the record's bounds), or null when it can. */
function metricProblem(key: string, value: MetricValue, alreadyStored: number): string | null {
  if (alreadyStored >= RUN_LIMITS.metrics) return `${key}: more than ${RUN_LIMITS.metrics} metrics in one run`;
  const k = v.safeParse(MetricKeySchema, key);
  if (!k.success) return `${key.slice(0, 64)}: the key: ${describeIssues(k.issues).join("; ")}`;
  const m = v.safeParse(MetricValueSchema, value);
  return m.success ? null : `${key}: ${describeIssues(m.issues).join("; ")}`;
}
