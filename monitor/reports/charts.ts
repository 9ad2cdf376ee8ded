import type { CodecShare } from "../../core/mod.ts";

/**
 * Charts as a small scene of shapes, drawn the same way to SVG (HTML reports) and to PDF (through
 * pdfkit's vector calls, whose paths take SVG path syntax): one layout, two outputs, no browser.
 */

export type Shape =
  | { kind: "rect"; x: number; y: number; w: number; h: number; fill: string }
  | { kind: "path"; d: string; stroke: string; width: number; fill?: string }
  | { kind: "text"; x: number; y: number; text: string; size: number; anchor: "start" | "middle" | "end"; fill: string; bold?: boolean };

export interface Chart {
  title: string;
  width: number;
  height: number;
  shapes: Shape[];
}

export const PALETTE = ["#2f6fdf", "#e07b2a", "#2aa876", "#c2417a", "#7a5cd6", "#8a8f98", "#d4b02a", "#1ba3b8"];
const INK = "#222", GRID = "#dde1e6", MUTED = "#667";

/** 0, a round step and a round top above `max` (1, 2 or 5 × 10^k per step). */
function niceScale(min: number, max: number, ticks = 4): { lo: number; hi: number; step: number } {
  const lo = Math.min(0, min);
  const span = Math.max(max, 0) - lo || 1;
  const raw = span / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  return { lo: Math.floor(lo / step) * step, hi: Math.ceil(Math.max(max, 0) / step) * step || step, step };
}

interface SeriesChart {
  title: string;
  labels: string[];
  values: number[];
  format: (n: number) => string;
  kind: "bars" | "line";
  /** Values are bytes: ticks fall on round numbers of one binary unit (0, 5 GiB, 10 GiB …). */
  binary?: boolean;
  color?: string;
  width?: number;
  height?: number;
}

/** Bars or a line over labelled points, with a y axis from 0 and at most eight x labels. */
export function seriesChart(o: SeriesChart): Chart {
  const width = o.width ?? 500, height = o.height ?? 200;
  const left = 62, right = 10, top = 24, bottom = 30;
  const plotW = width - left - right, plotH = height - top - bottom;
  const extent = Math.max(1, ...o.values.map(Math.abs));
  const power = o.binary ? Math.min(5, Math.floor(Math.log(extent) / Math.log(1024))) : 0;
  const unit = 1024 ** power;
  const scaled = niceScale(Math.min(...o.values, 0) / unit, Math.max(...o.values, 0) / unit);
  const [lo, hi, step] = [scaled.lo * unit, scaled.hi * unit, scaled.step * unit];
  const label = o.binary ? (v: number) => (v === 0 ? "0" : `${Number((v / unit).toFixed(3))} ${["B", "KiB", "MiB", "GiB", "TiB", "PiB"][power]}`) : o.format;
  const y = (v: number) => top + plotH - ((v - lo) / (hi - lo)) * plotH;
  const shapes: Shape[] = [{ kind: "text", x: 0, y: 14, text: o.title, size: 11, anchor: "start", fill: INK, bold: true }];
  for (let v = lo; v <= hi + step / 2; v += step) {
    shapes.push({ kind: "path", d: `M ${left} ${y(v).toFixed(1)} H ${width - right}`, stroke: GRID, width: 0.6 });
    shapes.push({ kind: "text", x: left - 5, y: y(v) + 3, text: label(v), size: 7.5, anchor: "end", fill: MUTED });
  }
  const n = Math.max(1, o.values.length);
  const slot = plotW / n;
  const color = o.color ?? PALETTE[0]!;
  if (o.kind === "bars") {
    o.values.forEach((v, i) => {
      const top0 = y(Math.max(v, 0)), bottom0 = y(Math.min(v, 0));
      shapes.push({ kind: "rect", x: left + i * slot + slot * 0.15, y: top0, w: Math.max(0.5, slot * 0.7), h: Math.max(v === 0 ? 0 : 0.5, bottom0 - top0), fill: color });
    });
  } else if (o.values.length > 0) {
    const d = o.values.map((v, i) => `${i === 0 ? "M" : "L"} ${(left + i * slot + slot / 2).toFixed(1)} ${y(v).toFixed(1)}`).join(" ");
    const area = `${d} L ${(left + (n - 1) * slot + slot / 2).toFixed(1)} ${y(0).toFixed(1)} L ${(left + slot / 2).toFixed(1)} ${y(0).toFixed(1)} Z`;
    shapes.push({ kind: "path", d: area, stroke: "none", width: 0, fill: `${color}33` });
    shapes.push({ kind: "path", d, stroke: color, width: 1.8 });
  }
  shapes.push({ kind: "path", d: `M ${left} ${y(0).toFixed(1)} H ${width - right}`, stroke: MUTED, width: 0.8 });
  const every = Math.ceil(n / 8);
  o.labels.forEach((label, i) => {
    if (i % every === 0) shapes.push({ kind: "text", x: left + i * slot + slot / 2, y: height - bottom + 13, text: label, size: 7.5, anchor: "middle", fill: MUTED });
  });
  return { title: o.title, width, height, shapes };
}

/** Two stacked bars, video codecs of the runs before and after processing, with a legend. */
export function codecMixChart(title: string, shares: CodecShare[], width = 500, height = 150): Chart {
  const left = 50, right = 10, top = 24, barH = 26, gap = 12;
  const plotW = width - left - right;
  const shown = shares.slice(0, PALETTE.length - 1);
  const rest = shares.slice(PALETTE.length - 1);
  const groups = rest.length ? [...shown, { codec: "other", before: rest.reduce((n, s) => n + s.before, 0), after: rest.reduce((n, s) => n + s.after, 0) }] : shown;
  const shapes: Shape[] = [{ kind: "text", x: 0, y: 14, text: title, size: 11, anchor: "start", fill: INK, bold: true }];
  (["before", "after"] as const).forEach((side, row) => {
    const total = groups.reduce((n, g) => n + g[side], 0);
    const y0 = top + row * (barH + gap);
    shapes.push({ kind: "text", x: left - 6, y: y0 + barH / 2 + 3, text: side === "before" ? "Before" : "After", size: 8.5, anchor: "end", fill: INK });
    if (total === 0) {
      shapes.push({ kind: "rect", x: left, y: y0, w: plotW, h: barH, fill: GRID });
      return;
    }
    let x = left;
    groups.forEach((g, i) => {
      const w = (g[side] / total) * plotW;
      if (w <= 0) return;
      shapes.push({ kind: "rect", x, y: y0, w, h: barH, fill: PALETTE[i % PALETTE.length]! });
      if (w > 34) shapes.push({ kind: "text", x: x + w / 2, y: y0 + barH / 2 + 3, text: `${Math.round((g[side] / total) * 100)}%`, size: 8, anchor: "middle", fill: "#fff" });
      x += w;
    });
  });
  let lx = left;
  const ly = top + 2 * (barH + gap) + 6;
  groups.forEach((g, i) => {
    shapes.push({ kind: "rect", x: lx, y: ly - 7, w: 8, h: 8, fill: PALETTE[i % PALETTE.length]! });
    shapes.push({ kind: "text", x: lx + 11, y: ly, text: g.codec, size: 8, anchor: "start", fill: INK });
    lx += 20 + g.codec.length * 5;
  });
  return { title, width, height: Math.max(height, ly + 10), shapes };
}

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The chart as a standalone SVG element. */
export function toSvg(chart: Chart): string {
  const body = chart.shapes.map((s) => {
    if (s.kind === "rect") return `<rect x="${s.x.toFixed(1)}" y="${s.y.toFixed(1)}" width="${s.w.toFixed(1)}" height="${s.h.toFixed(1)}" fill="${s.fill}"/>`;
    if (s.kind === "path") return `<path d="${s.d}" stroke="${s.stroke}" stroke-width="${s.width}" fill="${s.fill ?? "none"}"/>`;
    return `<text x="${s.x.toFixed(1)}" y="${s.y.toFixed(1)}" font-size="${s.size}" text-anchor="${s.anchor}" fill="${s.fill}"${s.bold ? ' font-weight="bold"' : ""}>${escapeXml(s.text)}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${chart.width} ${chart.height}" width="${chart.width}" height="${chart.height}" role="img" aria-label="${escapeXml(chart.title)}" font-family="Helvetica, Arial, sans-serif">${body.join("")}</svg>`;
}
