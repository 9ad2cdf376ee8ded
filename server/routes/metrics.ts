import { Elysia } from "elysia";
import * as v from "valibot";
import type { RunMetrics } from "../prometheus.ts";

/** GET /metrics: Prometheus text exposition (runs, bytes, tracks, transcodes, durations, process). */
export function metricsRoutes(metrics: RunMetrics, ready: Promise<void>) {
  return new Elysia({ name: "vpo-metrics-routes" }).get(
    "/metrics",
    async () => {
      await ready;
      return new Response(await metrics.render(), { headers: { "content-type": metrics.contentType } });
    },
    {
      query: v.strictObject({}),
      detail: {
        tags: ["system"],
        summary: "Prometheus metrics",
        responses: { 200: { description: "Prometheus text format 0.0.4", content: { "text/plain": { schema: { type: "string" } } } } },
      },
    },
  );
}
