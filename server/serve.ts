import { getLogger } from "@logtape/logtape";
import { VpoError } from "../core/mod.ts";
import { createApp, type AppOptions, type VpoApp } from "./app.ts";
import { HOW_TO_SET_TOKEN, isLoopbackHost } from "./auth.ts";
import { DEFAULT_BODY_LIMIT } from "./body.ts";

const log = getLogger(["vpo", "server"]);

export interface ServeOptions extends AppOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Longest wait for requests in flight on stop (default 5 s). */
  shutdownGraceMs?: number;
}

export interface RunningServer {
  /** e.g. "http://127.0.0.1:8321" */
  url: string;
  port: number;
  vpo: VpoApp;
  /** Ends event streams, lets requests in flight finish (up to the grace period), closes readers. */
  stop(): Promise<void>;
}

/** Throws unless the host is loopback or a token protects the writes. */
export function checkExposure(host: string, token: string | null | undefined): void {
  // A client cannot send these: header values lose their outer spaces, and control characters are refused.
  if (token && (token.trim() !== token || /[\x00-\x1f\x7f]/.test(token))) {
    throw new VpoError("INVALID_ARGUMENT", "The API token starts or ends with a space or holds a control character, so no client could send it: choose another");
  }
  if (!isLoopbackHost(host) && !token) {
    throw new VpoError(
      "INVALID_ARGUMENT",
      `Refusing to listen on ${host} without an API token: anyone who can reach it could write and purge runs. Either bind 127.0.0.1, or ${HOW_TO_SET_TOKEN}`,
    );
  }
}

/**
 * Listens on host:port with the app from createApp. `reusePort` is off, so a second server on a
 * busy port fails instead of silently sharing it.
 *
 * @example const server = await startServer({ ...appOptions, host: "127.0.0.1", port: 0 }); console.log(server.url);
 */
function cannotListen(error: unknown, host: string, port: number): VpoError {
  const code = (error as { code?: string }).code;
  if (code === "EADDRINUSE") return new VpoError("INVALID_ARGUMENT", `Cannot listen on ${host}:${port}: the port is already in use`);
  return new VpoError("INVALID_ARGUMENT", `Cannot listen on ${host}:${port}: ${(error as Error).message}`);
}

/**
 * Binds host:port and lets go at once, so that a busy port is refused before the app starts its
 * read workers and run feed (tearing them down again only adds noise to the one line that matters).
 */
function checkPortFree(host: string, port: number): void {
  if (port === 0) return;
  try {
    Bun.serve({ hostname: host, port, reusePort: false, fetch: () => new Response(null, { status: 503 }) }).stop(true);
  } catch (error) {
    throw cannotListen(error, host, port);
  }
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  checkExposure(options.host, options.token);
  checkPortFree(options.host, options.port);
  const vpo = createApp(options);
  const limit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  try {
    // The app answers 413 from Content-Length or the bytes read; Bun's own cap is only a backstop.
    vpo.app.listen({ hostname: options.host, port: options.port, reusePort: false, maxRequestBodySize: limit + 1024 * 1024, idleTimeout: 30 });
  } catch (error) {
    // Taken in the moment since the check: stop what the app started, quietly.
    await vpo.close();
    throw cannotListen(error, options.host, options.port);
  }
  const server = vpo.app.server!;
  const host = options.host.includes(":") && !options.host.startsWith("[") ? `[${options.host}]` : options.host;
  const url = `http://${host}:${server.port}`;
  log.info("Listening on {url}", { url });
  return {
    url,
    port: server.port!,
    vpo,
    async stop() {
      vpo.sse.closeAll();
      const grace = options.shutdownGraceMs ?? 5_000;
      const graceful = server.stop(false);
      const timer = setTimeout(() => server.stop(true), grace);
      await graceful;
      clearTimeout(timer);
      await vpo.close();
    },
  };
}
