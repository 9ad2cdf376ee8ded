import { Elysia } from "elysia";
import * as v from "valibot";
import type { SseHub } from "../sse.ts";
import { STREAMED_EVENTS } from "../sse.ts";

/** GET /api/events: Server-Sent Events from the core event bus. */
export function eventRoutes(hub: SseHub) {
  return new Elysia({ name: "vpo-event-routes" }).get(
    "/api/events",
    ({ request, server }) => {
      // An event stream may be quiet for longer than the server's idle timeout.
      server?.timeout(request, 0);
      return hub.open(request);
    },
    {
      query: v.strictObject({}),
      detail: {
        tags: ["events"],
        summary: "Live events (Server-Sent Events)",
        description: `A text/event-stream of ${STREAMED_EVENTS.join(", ")}; \`data\` is the event's JSON payload. A \`: ping\` comment keeps idle connections open.`,
        responses: { 200: { description: "An endless event stream", content: { "text/event-stream": { schema: { type: "string" } } } } },
      },
    },
  );
}
