import { getRotatingFileSink } from "@logtape/file";
import { configure, getJsonLinesFormatter, getTextFormatter, type LogLevel, type Sink } from "@logtape/logtape";
import type { Config } from "../core/mod.ts";

type LoggingConfig = NonNullable<Config["logging"]>;

/**
 * Routes every `vpo.*` log category to stderr (text for people, JSON lines with `--log-json`)
 * and, when configured, to a size-rotated file. A log file that cannot be opened costs one
 * warning on stderr; logging goes on there.
 */
export async function configureLogging(options: LoggingConfig): Promise<void> {
  const formatter = options.json
    ? getJsonLinesFormatter({ categorySeparator: "." })
    : getTextFormatter({ timestamp: "date-time-timezone", category: "." });
  const sinks: Record<string, Sink> = { stderr: (record) => void process.stderr.write(formatter(record)) };
  if (options.file) {
    try {
      sinks.file = getRotatingFileSink(options.file, {
        formatter,
        maxSize: options.max_bytes,
        maxFiles: Math.max(1, (options.backup_count ?? 3) + 1),
      });
    } catch (error) {
      process.stderr.write(`warning: cannot open log file "${options.file}" (${(error as Error).message}); logging to stderr only\n`);
    }
  }
  await configure({
    reset: true,
    sinks,
    loggers: [
      { category: ["vpo"], sinks: Object.keys(sinks), lowestLevel: (options.level ?? "info") as LogLevel },
      { category: ["logtape", "meta"], sinks: ["stderr"], lowestLevel: "warning" },
    ],
  });
}
