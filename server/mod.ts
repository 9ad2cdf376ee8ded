/**
 * The vpo HTTP server: API (OpenAPI at /swagger/json, Swagger UI at /swagger), dashboard at /,
 * Server-Sent Events at /api/events and Prometheus metrics at /metrics.
 *
 * @example
 * // tests: no socket
 * const server = createApp({ db, dbPath, bus, registry, token: "s3cret" });
 * const res = await server.handle(new Request("http://localhost/api/stats/summary"));
 * await server.close();
 *
 * // production: `vpo serve`, or
 * const running = await startServer({ db, dbPath, bus, registry, host: "127.0.0.1", port: 8321 });
 * await running.stop();
 */
export type { QueueControl } from "./deps.ts";
export { createApp, type AppOptions, type VpoApp } from "./app.ts";
export { startServer, checkExposure, type RunningServer, type ServeOptions } from "./serve.ts";
export { isLoopbackHost, HOW_TO_SET_TOKEN } from "./auth.ts";
export { ErrorBodySchema, type ErrorBody } from "./errors.ts";
export { DEFAULT_BODY_LIMIT } from "./body.ts";
