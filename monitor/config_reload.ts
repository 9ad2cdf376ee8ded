/**
 * Hot reload of the config for long-running processes (`vpo serve`, `vpo worker`): on a change of
 * config.toml (or the active profile), on SIGHUP and on request. The new config is validated
 * first: an invalid edit is refused with a logged error naming the file and the key, and the old
 * config stays in force. Settings that are read only at start are named in the log when changed.
 */
import { existsSync, type FSWatcher, statSync, watch } from "node:fs";
import { basename, dirname } from "node:path";
import { getLogger } from "@logtape/logtape";
import { errorMessage, type LoadedConfig } from "../core/mod.ts";
import { type Clock, systemClock } from "./clock.ts";

const log = getLogger(["vpo", "config"]);

/** Settings read once at start: a change takes effect at the next start (the README lists them). */
export const RESTART_KEYS = [
  "database.path", "database.url",
  "server.host", "server.port", "server.token", "server.cors_origins", "server.body_limit_bytes",
  "plugins.load", "plugins.options", "plugins.hook_timeout_ms",
  "node.name",
  "tools.ffmpeg", "tools.ffprobe", "tools.probe_timeout_seconds",
  "processing.workers", "processing.temp_dir",
  "queue.heartbeat_seconds", "queue.check_interval_seconds", "queue.retry_limit", "queue.retry_delay_seconds", "queue.stop_timeout_seconds",
] as const;

export type ReloadOutcome =
  | { ok: true; changed: boolean; version: number; loaded_at: string; restart_needed: string[] }
  | { ok: false; error: string; version: number; loaded_at: string };

export interface ConfigReloader {
  /** The config in force. */
  readonly current: LoadedConfig;
  /** 1 at start, one more for each reload that changed something. */
  readonly version: number;
  readonly loadedAt: string;
  /** Loads and validates the config again; applies it when valid. `reason` is for the log. */
  reload(reason: string): Promise<ReloadOutcome>;
  /** Called with each new config (after validation), in order; returns the function that unsubscribes. */
  onChange(listener: (next: LoadedConfig, previous: LoadedConfig) => void | Promise<void>): () => void;
  /** Reloads when one of `paths` is written, created or replaced (editors often replace files). */
  watch(paths: readonly string[]): void;
  stop(): void;
}

const valueAt = (loaded: LoadedConfig, key: string) => {
  const [section, name] = key.split(".") as [keyof LoadedConfig["config"], string];
  return JSON.stringify((loaded.config[section] as Record<string, unknown> | undefined)?.[name] ?? null);
};

/** Which of RESTART_KEYS differ between two configs. */
export function restartNeeded(previous: LoadedConfig, next: LoadedConfig): string[] {
  return RESTART_KEYS.filter((key) => valueAt(previous, key) !== valueAt(next, key));
}

/**
 * @example
 * const reloader = createConfigReloader({ load: () => loadCliConfig(args), initial: ctx.loaded });
 * reloader.onChange((next) => monitoring.reconfigure(next.config));
 * reloader.watch([configFilePath()]);
 * process.on("SIGHUP", () => void reloader.reload("SIGHUP"));
 */
export function createConfigReloader(o: { load: () => LoadedConfig; initial: LoadedConfig; clock?: Clock; debounceMs?: number }): ConfigReloader {
  const clock = o.clock ?? systemClock;
  let current = o.initial;
  let version = 1;
  let loadedAt = clock.now().toISOString();
  const listeners = new Set<(next: LoadedConfig, previous: LoadedConfig) => void | Promise<void>>();
  const watchers: FSWatcher[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  let queue: Promise<unknown> = Promise.resolve();

  const apply = async (reason: string): Promise<ReloadOutcome> => {
    let next: LoadedConfig;
    try {
      next = o.load();
    } catch (error) {
      const message = errorMessage(error);
      log.error("Config reload ({reason}) refused, version {version} stays in force: {error}", { reason, version, error: message });
      return { ok: false, error: message, version, loaded_at: loadedAt };
    }
    if (JSON.stringify(next.config) === JSON.stringify(current.config) && next.configPath === current.configPath) {
      log.debug("Config reload ({reason}): nothing changed", { reason });
      return { ok: true, changed: false, version, loaded_at: loadedAt, restart_needed: [] };
    }
    const previous = current;
    const restart = restartNeeded(previous, next);
    current = next;
    version++;
    loadedAt = clock.now().toISOString();
    for (const key of restart) {
      log.warn("{key} changed in the config: it takes effect only when vpo is restarted (the old value stays in force until then)", { key });
    }
    log.info("Config reloaded ({reason}): version {version}", { reason, version, path: next.configPath });
    for (const listener of listeners) {
      try {
        await listener(next, previous);
      } catch (error) {
        log.error("Applying the reloaded config failed: {error}", { error: errorMessage(error) });
      }
    }
    return { ok: true, changed: true, version, loaded_at: loadedAt, restart_needed: restart };
  };

  const reload = (reason: string) => {
    // One reload at a time, in the order asked.
    const result = queue.then(() => apply(reason));
    queue = result.catch(() => {});
    return result;
  };

  return {
    get current() {
      return current;
    },
    get version() {
      return version;
    },
    get loadedAt() {
      return loadedAt;
    },
    reload,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    watch(paths) {
      const names = new Map<string, Set<string>>();
      for (const path of paths) {
        const dir = dirname(path);
        if (!names.has(dir)) names.set(dir, new Set());
        names.get(dir)!.add(basename(path));
      }
      const changed = (path: string) => {
        if (timer) clearTimeout(timer);
        // Editors write in several steps (truncate, write, rename): reload once they are done.
        timer = setTimeout(() => {
          timer = null;
          void reload(`${basename(path)} changed`);
        }, o.debounceMs ?? 300);
        timer.unref?.();
      };
      for (const [dir, files] of names) {
        if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
        try {
          const watcher = watch(dir, (_event, filename) => {
            if (filename && files.has(String(filename))) changed(`${dir}/${filename}`);
          });
          watcher.unref?.();
          watchers.push(watcher);
        } catch (error) {
          log.warn("Cannot watch {dir} for config changes ({error}); reload with SIGHUP or POST /api/config/reload", { dir, error: errorMessage(error) });
        }
      }
    },
    stop() {
      for (const w of watchers) w.close();
      watchers.length = 0;
      if (timer) clearTimeout(timer);
    },
  };
}
