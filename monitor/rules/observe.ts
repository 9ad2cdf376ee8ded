/**
 * What each kind of rule observes now: the alerts whose condition holds, one Observation each
 * (alerts not observed have cleared), or why the rule cannot be evaluated here.
 */
import { statfs } from "node:fs/promises";
import {
  type Db, errorMessage, failedRunGroups, formatConfigDuration, latestRunAt, listNodes, parseDuration, parseFreeSpace, phaseTotals,
  type RuleConfig, runCountGroups,
} from "../../core/mod.ts";
import { queuedJobs } from "../queue_depth.ts";
import { matchesFilter, ruleFilter } from "./labels.ts";
import type { Observation } from "./transition.ts";

/** Inputs some rules need that not every process has. */
export interface MonitorInputs {
  /** Jobs waiting in the queue, null where there is none (default: the job queue's tables on PostgreSQL). */
  queueDepth?: () => Promise<number | null>;
  /** The machines and when each was last seen (default: the nodes table). */
  nodes?: (db: Db) => Promise<{ name: string; last_seen: string }[]>;
  /** Free and total bytes of the file system holding `path` (default: statfs). */
  freeSpace?: (path: string) => Promise<{ free: number; total: number }>;
}

export interface ObserveContext {
  db: Db;
  now: Date;
  inputs: MonitorInputs;
  /** This machine's name (disk space is measured here). */
  node: string;
  libraries: Record<string, string>;
}

export type Observed = { observations: Observation[] } | { unavailable: string };

const iso = (ms: number) => new Date(ms).toISOString();
const pct = (n: number) => Math.round(n * 10) / 10;
const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;

async function defaultFreeSpace(path: string) {
  const s = await statfs(path);
  return { free: Number(s.bavail) * Number(s.bsize), total: Number(s.blocks) * Number(s.bsize) };
}

/** The registered machines (a worker's heartbeat, a command's start) and when each was last seen. */
async function registeredNodes(db: Db): Promise<{ name: string; last_seen: string }[]> {
  return (await listNodes(db)).flatMap((n) => (n.name !== null && n.last_seen !== null ? [{ name: n.name, last_seen: n.last_seen }] : []));
}

/** Observes one rule. Throws only for unexpected errors (a failed query). */
export async function observe(rule: RuleConfig, ctx: ObserveContext): Promise<Observed> {
  const now = ctx.now.getTime();
  const filter = ruleFilter(rule);
  const groupBy = rule.group_by ?? [];
  const window = parseDuration(rule.window ?? (rule.kind === "failure_rate" ? "1h" : "24h"));
  const minRuns = rule.min_runs ?? (rule.kind === "phase_slow" ? 3 : 5);
  const threshold = rule.threshold ?? 0;

  switch (rule.kind) {
    case "run_failed": {
      // Holds while runs keep failing: it clears once a whole cooldown passes without a failed run.
      const cooldown = parseDuration(rule.cooldown ?? "1h");
      const groups = await failedRunGroups(ctx.db, { since: iso(now - cooldown * 1000), filter, groupBy });
      return {
        observations: groups.map(({ labels, count, latest }) => ({
          labels,
          value: count,
          summary: `${count} run${count === 1 ? "" : "s"} failed in the last ${formatConfigDuration(cooldown)}; latest: ${latest.file_path} (${latest.error_message ?? "no reason recorded"})`,
          details: {
            count, run_id: latest.id, file: latest.file_path, policy: latest.policy_name, node: latest.node, library: latest.library, job_id: latest.job_id,
            error: latest.error_message, processed_at: latest.processed_at, command: latest.failure_command, output: latest.failure_output,
            cooldown: formatConfigDuration(cooldown),
          },
        })),
      };
    }
    case "failure_rate":
    case "savings_low": {
      const groups = await runCountGroups(ctx.db, { since: iso(now - window * 1000), filter, groupBy });
      const observations: Observation[] = [];
      for (const g of groups) {
        if (rule.kind === "failure_rate") {
          const rate = (g.failed / g.finished) * 100;
          if (g.finished < minRuns || rate <= threshold) continue;
          observations.push({
            labels: g.labels, value: pct(rate),
            summary: `${pct(rate)} % of runs failed in the last ${formatConfigDuration(window)} (${g.failed} of ${g.finished}; threshold ${threshold} %)`,
            details: { rate: pct(rate), failed: g.failed, runs: g.finished, threshold, window: formatConfigDuration(window), ...g.labels },
          });
        } else {
          if (g.sized < minRuns || g.size_before <= 0) continue;
          const savings = ((g.size_before - g.size_after) / g.size_before) * 100;
          if (savings >= threshold) continue;
          observations.push({
            labels: g.labels, value: pct(savings),
            summary: `Runs of the last ${formatConfigDuration(window)} saved ${pct(savings)} % (threshold ${threshold} %, ${g.sized} runs)`,
            details: { savings: pct(savings), runs: g.sized, size_before: g.size_before, size_after: g.size_after, threshold, window: formatConfigDuration(window), ...g.labels },
          });
        }
      }
      return { observations };
    }
    case "phase_slow": {
      const baseline = parseDuration(rule.baseline ?? "7d");
      const windowStart = now - window * 1000;
      const q = { filter, groupBy, phase: rule.phase };
      const [recent, before] = await Promise.all([
        phaseTotals(ctx.db, { ...q, since: iso(windowStart) }),
        phaseTotals(ctx.db, { ...q, since: iso(windowStart - baseline * 1000), until: iso(windowStart) }),
      ]);
      const key = (t: { labels: object; phase: string }) => JSON.stringify([t.labels, t.phase]);
      const base = new Map(before.map((t) => [key(t), t]));
      const observations: Observation[] = [];
      for (const r of recent) {
        const b = base.get(key(r));
        if (!b || r.runs < minRuns || b.runs < minRuns) continue;
        let worse: number;
        let now_: number;
        let was: number;
        let unit: string;
        if (rule.metric === "encoding_fps") {
          if (r.mean_fps === null || b.mean_fps === null || b.mean_fps <= 0) continue;
          [now_, was, unit] = [r.mean_fps, b.mean_fps, "fps"];
          worse = (1 - now_ / was) * 100;
        } else {
          if (r.bytes_read <= 0 || b.bytes_read <= 0 || b.wall_time_seconds <= 0) continue;
          [now_, was, unit] = [(r.wall_time_seconds / r.bytes_read) * 1e9, (b.wall_time_seconds / b.bytes_read) * 1e9, "s per GB"];
          worse = (now_ / was - 1) * 100;
        }
        if (worse <= threshold) continue;
        observations.push({
          labels: { ...r.labels, phase: r.phase }, value: pct(worse),
          summary: `Phase "${r.phase}": ${rule.metric === "encoding_fps" ? "encoding fps" : "wall time per GB"} is ${pct(worse)} % worse than its baseline (${pct(now_)} vs ${pct(was)} ${unit}; threshold ${threshold} %)`,
          details: {
            phase: r.phase, metric: rule.metric, worse: pct(worse), recent: pct(now_), baseline: pct(was), unit, runs: r.runs, baseline_runs: b.runs, threshold,
            window: formatConfigDuration(window), baseline_window: formatConfigDuration(baseline), ...r.labels,
          },
        });
      }
      return { observations };
    }
    case "disk_space": {
      const wanted = parseFreeSpace(rule.min_free!);
      const measure = ctx.inputs.freeSpace ?? defaultFreeSpace;
      const libraries = Object.entries(ctx.libraries).filter(([name]) => matchesFilter({ library: name, node: ctx.node }, filter));
      if (libraries.length === 0) return { unavailable: "no library root to watch on this machine (set [libraries] in config.toml)" };
      const observations: Observation[] = [];
      for (const [library, root] of libraries) {
        const labels = { library, node: ctx.node };
        let space: { free: number; total: number };
        try {
          space = await measure(root);
        } catch (error) {
          // An unmounted share is as much a problem as a full one.
          observations.push({ labels, value: null, summary: `Cannot read the free space of library ${library} at ${root}: ${errorMessage(error)}`, details: { library, path: root, node: ctx.node, error: errorMessage(error) } });
          continue;
        }
        const low = "bytes" in wanted ? space.free < wanted.bytes : space.total > 0 && (space.free / space.total) * 100 < wanted.percent;
        if (!low) continue;
        observations.push({
          labels, value: space.free,
          summary: `Library ${library} (${root}) on ${ctx.node} has ${gib(space.free)} free of ${gib(space.total)}, below ${rule.min_free}`,
          details: { library, path: root, node: ctx.node, free: gib(space.free), free_bytes: space.free, total: gib(space.total), min_free: rule.min_free },
        });
      }
      return { observations };
    }
    case "queue_stalled": {
      const depth = await (ctx.inputs.queueDepth ?? (() => queuedJobs(ctx.db)))();
      if (depth === null) return { unavailable: "needs the job queue (vpo worker on PostgreSQL); this process has none, so the rule is not evaluated here" };
      const quiet = parseDuration(rule.quiet_for ?? "6h");
      const latest = await latestRunAt(ctx.db, filter);
      const idle = latest === null ? Number.POSITIVE_INFINITY : (now - Date.parse(latest)) / 1000;
      if (depth === 0 || idle < quiet) return { observations: [] };
      return {
        observations: [{
          labels: {}, value: depth,
          summary: `${depth} job(s) are queued but nothing was processed ${latest ? `since ${latest}` : "yet"} (over ${formatConfigDuration(quiet)})`,
          details: { queued: depth, last_run: latest, quiet_for: formatConfigDuration(quiet) },
        }],
      };
    }
    case "node_silent": {
      const silentFor = parseDuration(rule.silent_for ?? "15m");
      const nodes = await (ctx.inputs.nodes ?? registeredNodes)(ctx.db);
      const observations: Observation[] = [];
      for (const n of nodes) {
        if (!matchesFilter({ node: n.name }, filter)) continue;
        const silent = (now - Date.parse(n.last_seen)) / 1000;
        if (silent < silentFor) continue;
        observations.push({
          labels: { node: n.name }, value: Math.round(silent),
          summary: `Node ${n.name} has not been seen for ${formatConfigDuration(silent)} (last seen ${n.last_seen})`,
          details: { node: n.name, last_seen: n.last_seen, silent_for: formatConfigDuration(silentFor), silent: formatConfigDuration(silent) },
        });
      }
      return { observations };
    }
  }
}

/** Rule kinds whose condition depends on the runs recorded (evaluated at once when one is). */
export const RUN_DRIVEN_KINDS = new Set(["run_failed", "failure_rate", "savings_low", "phase_slow"]);
