/**
 * The route pattern of a request (`/api/stats/:stats_id`), for metric labels: bounded however
 * many ids are asked for. Also right for answers made before routing (cached views, 404s).
 */
type RouteList = readonly { method: string; path: string }[];

export function createRouteLabeler(routes: () => RouteList): (request: Request) => string {
  let table: { method: string; path: string; pattern: RegExp }[] | null = null;
  const build = () =>
    routes()
      // Static paths first, so /api/stats/summary is not taken for /api/stats/:stats_id.
      .map((r) => ({ method: r.method, path: r.path, params: (r.path.match(/[:*]/g) ?? []).length }))
      .sort((a, b) => a.params - b.params)
      .map((r) => ({
        method: r.method,
        path: r.path,
        pattern: new RegExp(`^${r.path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/:[^/]+/g, "[^/]+").replace(/\*/g, ".*")}$`),
      }));
  return (request) => {
    table ??= build();
    const url = request.url;
    const start = url.indexOf("/", url.indexOf("//") + 2);
    const query = url.indexOf("?", start);
    const path = query < 0 ? url.slice(start) : url.slice(start, query);
    const method = request.method === "HEAD" ? "GET" : request.method;
    return table.find((r) => (r.method === method || r.method === "ALL") && r.pattern.test(path))?.path ?? "unmatched";
  };
}
