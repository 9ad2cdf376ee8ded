import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { ROOT } from "../cli/_cli.ts";
import { type Seeded, seededServer } from "./_seed.ts";

let s: Seeded;
beforeAll(async () => (s = await seededServer()));
afterAll(() => s.close());

test("every metric the shipped Grafana dashboard queries is exposed by /metrics", async () => {
  const dashboard = await Bun.file(join(ROOT, "docs/grafana-dashboard.json")).json();
  const exprs: string[] = dashboard.panels.flatMap((p: { targets?: { expr: string }[] }) => (p.targets ?? []).map((t) => t.expr));
  const used = new Set(exprs.flatMap((e) => e.match(/\bvpo_[a-z0-9_]+/g) ?? []));
  const exposed = await (await s.request("/metrics")).text();
  const families = new Set([...exposed.matchAll(/^# TYPE (\S+) (\w+)/gm)].flatMap(([, name, type]) => (type === "histogram" ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name!])));
  expect([...used].filter((name) => !families.has(name))).toEqual([]);
  expect(used.size).toBeGreaterThan(8);
  // vpo's own performance has its row: HTTP, database, feed, queue and deliveries.
  for (const name of ["vpo_http_request_duration_seconds_bucket", "vpo_http_request_duration_seconds_count", "vpo_db_query_duration_seconds_bucket", "vpo_feed_lag_seconds_bucket", "vpo_queue_depth", "vpo_alert_deliveries_total"]) {
    expect(used).toContain(name);
  }
});
