/**
 * Hot reload for the long-running commands (`vpo serve`, `vpo worker`): the config in force,
 * reloaded when config.toml (or the active profile) is written, on SIGHUP, or when asked
 * (POST /api/config/reload). The log level and the log store level follow at once; each command
 * subscribes what else it applies (alert rules, channels, schedules, retention).
 */
import { configFilePath, profilePath } from "../core/mod.ts";
import { type ConfigReloader, createConfigReloader } from "../monitor/mod.ts";
import { type CliContext, type GlobalValues, loadCliConfig } from "./context.ts";
import { configureLogging } from "./logging.ts";

export interface ConfigSupervision {
  reloader: ConfigReloader;
  stop(): void;
}

export function superviseConfig(ctx: CliContext, args: GlobalValues, o: { reportedLogCategories?: readonly string[] } = {}): ConfigSupervision {
  const reloader = createConfigReloader({ load: () => loadCliConfig(args), initial: ctx.loaded });
  reloader.onChange((next) => configureLogging(next.config.logging, { reported: o.reportedLogCategories }));
  reloader.watch([configFilePath(), ...(ctx.loaded.profile ? [profilePath(ctx.loaded.profile.name)] : [])]);
  const onHangup = () => void reloader.reload("SIGHUP");
  process.on("SIGHUP", onHangup);
  return {
    reloader,
    stop() {
      process.off("SIGHUP", onHangup);
      reloader.stop();
    },
  };
}
