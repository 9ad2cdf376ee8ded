import { Elysia } from "elysia";
import * as v from "valibot";
import { HOOK_NAMES } from "../../core/mod.ts";
import type { RouteDeps } from "../deps.ts";

/** One registered capture plugin (registry.describe()). */
export const PluginInfoSchema = v.object({
  name: v.string(),
  version: v.string(),
  description: v.nullable(v.string()),
  source: v.pipe(v.string(), v.description('"built-in", or the module specifier it was loaded from')),
  hooks: v.array(v.object({ name: v.picklist(HOOK_NAMES), order: v.nullable(v.picklist(["pre", "post"])) })),
  metrics: v.pipe(v.array(v.string()), v.description('Declared metric keys; "*" for open-ended ones')),
});

/** Liveness: answered without touching the database, so it stays fast under load. */
export const HealthSchema = v.object({
  status: v.literal("ok"),
  version: v.string(),
  uptime_seconds: v.number(),
  config: v.pipe(
    v.nullable(v.object({ version: v.number(), loaded_at: v.pipe(v.string(), v.description("UTC ISO-8601 datetime")) })),
    v.description("The config in force: 1 at start, one more for each reload that changed it, and when it was loaded"),
  ),
});

/** GET /health and GET /api/plugins. */
export function systemRoutes(deps: RouteDeps, configInfo?: () => { version: number; loaded_at: string }) {
  const startedAt = performance.now();
  return new Elysia({ name: "vpo-system-routes" })
    .get("/health", () => ({
      status: "ok" as const, version: deps.version, uptime_seconds: Math.round(performance.now() - startedAt) / 1000, config: configInfo?.() ?? null,
    }), {
      query: v.strictObject({}),
      response: { 200: HealthSchema },
      detail: { tags: ["system"], summary: "Liveness" },
    })
    .get("/api/plugins", () => deps.registry.describe(), {
      query: v.strictObject({}),
      response: { 200: v.array(PluginInfoSchema) },
      detail: { tags: ["system"], summary: "Registered capture plugins: hooks and declared metrics" },
    });
}
