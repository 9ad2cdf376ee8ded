import { expect, test } from "bun:test";
import { forEachDialect } from "../../tests/dialects.ts";
import { openDatabase } from "../db/open.ts";
import { MAX_METRIC } from "../record/fields.ts";
import type { MetricValue } from "../record/mod.ts";
import { decodeMetrics, encodeMetrics, type MetricRow, metricRows } from "./_metric_rows.ts";
import { streamRunRecords } from "./export.ts";
import { recordRun } from "./record.ts";
import { getRunDetail } from "./run_detail.ts";

type Metrics = Record<string, Record<string, MetricValue>>;

const LARGE: Metrics = {
  big: Object.fromEntries(Array.from({ length: 5_000 }, (_, k) => [`m${k}`, k % 3 === 0 ? (k % 2 ? MAX_METRIC : -MAX_METRIC) : k % 3 === 1 ? 1 / (k + 3) : `t${k}`.repeat(20)])),
};

/** Metrics of every kind a run may report, and what reading them back gives. */
const CASES: { name: string; metrics: Metrics; stored: Record<string, Record<string, number | string | null>> }[] = [
  {
    name: "numbers, texts and nulls (neither num nor text)",
    metrics: { size: { bytes_saved: 200, ratio: 0.1 + 0.2, zero: 0, negative: -3.5, none: null }, hash: { algo: "sha256", empty: "" } },
    stored: { size: { bytes_saved: 200, ratio: 0.1 + 0.2, zero: 0, negative: -3.5, none: null }, hash: { algo: "sha256", empty: "" } },
  },
  {
    name: "booleans, kept as 1/0; a plugin without metrics, left out",
    metrics: { quality: { ok: true, hw: false, label: "v1" }, silent: {} },
    stored: { quality: { ok: 1, hw: 0, label: "v1" } },
  },
  {
    name: "unicode, quotes, control characters and integer-like keys",
    metrics: { "plügin ☃": { "clé \"quoted\"\n\t": "日本語 — naïve \u0001 \u2028 😀", "7": 7, "1e3": "x" } },
    stored: { "plügin ☃": { "clé \"quoted\"\n\t": "日本語 — naïve \u0001 \u2028 😀", "7": 7, "1e3": "x" } },
  },
  { name: "many large metrics", metrics: LARGE, stored: LARGE as Record<string, Record<string, number | string | null>> },
];

test("encode then decode gives the stored shape; the visitor hears every metric as SQL sees it", () => {
  for (const c of CASES) {
    const heard: [string, string, number | null, string | null][] = [];
    const text = encodeMetrics(c.metrics, (...m) => heard.push(m));
    expect(JSON.stringify(decodeMetrics(text))).toBe(JSON.stringify(c.stored));
    const expected = Object.entries(c.stored).flatMap(([p, values]) =>
      Object.entries(values).map(([k, v]) => [p, k, typeof v === "number" ? v : null, typeof v === "string" ? v : null]));
    expect(heard as unknown[]).toEqual(expected);
  }
});

test("a run without metrics (or with only empty plugins) has no row, and decodes to none", () => {
  expect(encodeMetrics({})).toBeNull();
  expect(encodeMetrics({ a: {}, b: {} })).toBeNull();
  expect(decodeMetrics(null)).toEqual({});
  expect(decodeMetrics(undefined)).toEqual({});
});

forEachDialect("metric rows", (dialect) => {
  test("stored and read back (run detail, export, the SQL expansion) unchanged, in their order", async () => {
    const { db, close } = await openDatabase(await dialect.newLocation());
    try {
      for (const [i, c] of CASES.entries()) {
        const run = await recordRun(db, { file_path: `/m/${i}.mkv`, processed_at: `2026-01-0${i + 1}T10:00:00Z`, policy_name: "strip", success: true, plugin_metrics: c.metrics });
        const detail = await getRunDetail(db, run.id);
        expect(JSON.stringify(detail.plugin_metrics)).toBe(JSON.stringify(c.stored));
        const rows = await db.selectFrom(metricRows(db)).selectAll().where("stats_id", "=", run.id).execute();
        const expected: MetricRow[] = Object.entries(c.stored).flatMap(([plugin, values]) =>
          Object.entries(values).map(([key, v]) => ({ stats_id: run.id, plugin, key, num: typeof v === "number" ? v : null, text: typeof v === "string" ? v : null })));
        const order = (list: MetricRow[]) => [...list].sort((a, b) => (a.plugin + "\0" + a.key < b.plugin + "\0" + b.key ? -1 : 1));
        expect(order(rows.map((r) => ({ ...r, num: r.num === null ? null : Number(r.num) })))).toEqual(order(expected));
      }
      const exported = [];
      for await (const run of streamRunRecords(db)) exported.push(JSON.stringify(run.plugin_metrics));
      expect(exported).toEqual(CASES.map((c) => JSON.stringify(c.stored)));
    } finally {
      await close();
    }
  });
});
