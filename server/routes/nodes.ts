import { Elysia } from "elysia";
import * as v from "valibot";
import { NodeRowSchema, parseTimeRange } from "../../core/mod.ts";
import type { RouteDeps } from "../deps.ts";
import { ErrorBodySchema } from "../errors.ts";
import { nameParam, windowParams } from "../params.ts";

const NodesQuery = v.strictObject({
  ...windowParams,
  policy: nameParam("Only runs of this policy"),
  library: nameParam("Only runs of this library ([libraries] in the config)"),
  node: nameParam("Only this machine ([node] name)"),
});

/** GET /api/nodes: every machine, online or not, with its run totals (never cached: liveness moves with the clock). */
export function nodeRoutes(deps: RouteDeps) {
  return new Elysia({ name: "vpo-node-routes" }).get(
    "/api/nodes",
    ({ query }) => deps.reader.read("nodes", { ...parseTimeRange(query), policy: query.policy, library: query.library, node: query.node }),
    {
      query: NodesQuery,
      response: { 200: v.array(NodeRowSchema), 400: ErrorBodySchema },
      detail: {
        tags: ["queue"],
        summary: "Machines: id, name, host, last seen, online or offline, version, and their runs",
        description: "Registered machines (every vpo command registers its node; a worker sends a heartbeat every 10 s) and node names seen on runs. Run totals follow the filters and add up to /api/stats/summary's.",
      },
    },
  );
}
