/**
 * SIGINT/SIGTERM → an AbortSignal the engine checks between steps and that kills running
 * children; the work then cleans up and records the run as interrupted. Only the CLI listens
 * for signals: the engine is cancelled through the AbortSignal alone.
 */

export interface InterruptWatch {
  signal: AbortSignal;
  /** "SIGINT" or "SIGTERM" once one arrived, else null. */
  readonly received: string | null;
  /** Stops listening; call when the batch is over. */
  dispose(): void;
}

/**
 * Listens for SIGINT and SIGTERM. The first one aborts `signal`; a second one exits at once
 * with 130 (the next start then finds the unfinished run and records it as interrupted).
 */
export function watchInterrupts(onFirst?: (signal: string) => void): InterruptWatch {
  const controller = new AbortController();
  let received: string | null = null;
  const handler = (signal: NodeJS.Signals) => {
    if (received) process.exit(130);
    received = signal;
    onFirst?.(signal);
    controller.abort(signal);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    dispose() {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    },
  };
}
