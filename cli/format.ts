import type Table from "cli-table3";
import picocolors from "picocolors";
import { toJson } from "../core/mod.ts";
import { isTerminal } from "./stdio.ts";

/** Colour only on a terminal, never with NO_COLOR (picocolors alone would colour under CI=true). */
const pc = picocolors.createColors(isTerminal(1) && !("NO_COLOR" in process.env));

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/** `1536` → `1.5 KiB` (exact totals may be bigints; a table shows them rounded anyway). */
export function formatBytes(exact: number | bigint | null | undefined): string {
  if (exact == null) return "—";
  const bytes = Number(exact);
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = unit === 0 ? `${value} B` : `${value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2)} ${UNITS[unit]}`;
  return bytes < 0 ? `-${text}` : text;
}

/** `55680` → `15h 28m`; `125` → `2m 5s`; `3.21` → `3.2s`; `0.028` → `28 ms`. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null) return "—";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)}s`;
  const s = Math.round(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  return `${m}m ${s % 60}s`;
}

export function formatNumber(n: number | null | undefined): string {
  return n == null ? "—" : n.toLocaleString("en-US", { maximumFractionDigits: 2 });
}

export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  return ratio == null ? "—" : `${(ratio * 100).toFixed(digits)}%`;
}

/** A size change for people: savings as savings, growth as an increase, zero as "no change". */
export function formatSaving(before: number | null, after: number | null): string {
  if (before == null || after == null) return "—";
  const change = before - after;
  if (change === 0) return "no change";
  const pct = before > 0 ? ` (${((Math.abs(change) / before) * 100).toFixed(1)}%)` : "";
  return change > 0 ? `${formatBytes(change)} saved${pct}` : `${formatBytes(-change)} larger${pct}`;
}

/** Net bytes saved for a column of savings: growth reads as growth, never as a negative saving. */
export function formatSavedBytes(exact: number | bigint | null | undefined): string {
  if (exact == null) return "—";
  const saved = Number(exact);
  return saved < 0 ? `grew ${formatBytes(-saved)}` : formatBytes(saved);
}

/** A savings percentage (already ×100) with the same wording as formatSavedBytes. */
export function formatSavedPercent(percent: number | null | undefined): string {
  if (percent == null) return "—";
  return percent < 0 ? `grew ${(-percent).toFixed(1)}%` : `${percent.toFixed(1)}%`;
}

/** A stored UTC instant for a table: `2026-03-31T23:59:59.000Z` → `2026-03-31 23:59:59`. */
export function formatInstant(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 19).replace("T", " ") : "—";
}

/** Aligned columns without borders; numbers right-aligned. */
export function renderTable(head: string[], rows: (string | number)[][], align?: ("left" | "right")[]): string {
  const blank = { top: "", "top-mid": "", "top-left": "", "top-right": "", bottom: "", "bottom-mid": "", "bottom-left": "", "bottom-right": "", left: "", "left-mid": "", mid: "", "mid-mid": "", right: "", "right-mid": "", middle: "  " };
  // Required here: a command that prints no table does not load cli-table3 (10 modules with its colour library).
  const table = new (require("cli-table3") as typeof Table)({ head: head.map((h) => pc.bold(h)), chars: blank, style: { head: [], border: [], "padding-left": 0, "padding-right": 0 }, colAligns: align ?? head.map(() => "left" as const) });
  for (const row of rows) table.push(row.map(String));
  return table.toString().split("\n").map((l) => l.trimEnd()).join("\n");
}

/** `label  value` lines under a heading, labels padded to one width. */
export function renderSection(title: string, pairs: [string, string][]): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return [pc.bold(title), ...pairs.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join("\n");
}

/**
 * RFC 4180 CSV with a header row (`header: false` for the later chunks of a streamed CSV).
 * null is an empty field, objects are JSON, booleans `true`/`false`.
 */
export function renderCsv<T extends Record<string, unknown>>(rows: T[], columns: (keyof T & string)[], options: { header?: boolean } = {}): string {
  const { stringify } = require("csv-stringify/sync") as typeof import("csv-stringify/sync"); // only when CSV is asked for
  return stringify(rows.map((r) => columns.map((c) => (r[c] == null ? "" : typeof r[c] === "object" ? JSON.stringify(r[c]) : r[c]))), {
    header: options.header ?? true,
    columns,
    // csv-stringify's default turns false into an empty field, indistinguishable from null.
    cast: { boolean: (b) => (b ? "true" : "false") },
  });
}

/** Pretty JSON; exact integers (bigint byte totals) stay exact. */
export function renderJson(value: unknown): string {
  return toJson(value, 2);
}

export { pc as colors };
