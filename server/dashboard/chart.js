// Shared uPlot plumbing for the chart panels: one plot per container that follows the
// container's width, byte and count axes with round ticks from 0 whose labels always fit, and
// bars that each span exactly their period. Times are in ms (uPlot's `ms: 1`).
import uPlot from "/vendor/uplot.js";

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
const STEPS = [1, 2, 2.5, 5, 10];
const HEIGHT = 240;

/** A round step near range/4 (1, 2, 2.5 or 5 × a power of ten). */
function niceStep(range, ticks = 4) {
  const raw = range / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  return STEPS.map((s) => s * power).find((s) => s >= raw) ?? 10 * power;
}

/** Tick values from `min` to `max` by `step` (both multiples of step). */
function ticksOf(min, max, step) {
  const out = [];
  for (let i = Math.round(min / step); i <= Math.round(max / step); i++) out.push(i * step);
  return out;
}

const trim = (n) => String(Number(n.toFixed(3)));

/**
 * A byte axis over `values`: from 0 (or below, when some value is negative) to a round number of
 * one binary unit, labelled in that unit ("0", "50 GiB", "100 GiB").
 */
export function byteScale(values) {
  const max = Math.max(0, ...values);
  const min = Math.min(0, ...values);
  const span = Math.max(max - min, 1024);
  const power = Math.min(UNITS.length - 1, Math.floor(Math.log(span) / Math.log(1024)));
  const unit = 1024 ** power;
  const step = niceStep(span / unit) * unit;
  const range = [Math.floor(min / step) * step, Math.max(step, Math.ceil(max / step) * step)];
  return {
    range,
    splits: ticksOf(range[0], range[1], step),
    label: (v) => (v === 0 ? "0" : `${v < 0 ? "−" : ""}${trim(Math.abs(v) / unit)} ${UNITS[power]}`),
  };
}

/** A count axis over `values`: whole numbers from 0. */
export function countScale(values) {
  const max = Math.max(1, ...values);
  const step = Math.max(1, niceStep(max));
  const range = [0, Math.ceil(max / step) * step];
  return { range, splits: ticksOf(0, range[1], step), label: (v) => v.toLocaleString("en-US") };
}

/** An axis size that fits its widest label (uPlot's axis-autosize recipe), so no label is clipped. */
export function fitLabels(self, values, axisIdx, cycleNum) {
  const axis = self.axes[axisIdx];
  if (cycleNum > 1) return axis._size;
  let size = axis.ticks.size + axis.gap;
  const longest = (values ?? []).reduce((a, v) => (String(v).length > a.length ? String(v) : a), "");
  if (longest) {
    self.ctx.font = axis.font[0];
    size += self.ctx.measureText(longest).width / devicePixelRatio;
  }
  return Math.ceil(size) + 4;
}

/** uPlot axis options for a scale made by byteScale or countScale. */
export function valueAxis(scaleKey, scale, extra = {}) {
  return { scale: scaleKey, splits: () => scale.splits, values: (_u, ticks) => ticks.map(scale.label), size: fitLabels, ...extra };
}

/**
 * A uPlot paths function drawing one bar per period across its visible part ([from[i], to[i]]
 * in x values), inset by a gap: bars of a month are a month wide, and a period cut by the edge
 * of the range is cut too, never drawn past it.
 */
export function spanBars(from, to, gapPx = 2) {
  return (u, seriesIdx) => {
    const ys = u.data[seriesIdx];
    const scaleY = u.series[seriesIdx].scale;
    const fill = new Path2D();
    const base = u.valToPos(0, scaleY, true);
    const gap = gapPx * devicePixelRatio;
    for (let i = 0; i < ys.length; i++) {
      if (!ys[i]) continue;
      const left = u.valToPos(from[i], "x", true) + gap / 2;
      const right = u.valToPos(to[i], "x", true) - gap / 2;
      const top = u.valToPos(ys[i], scaleY, true);
      fill.rect(left, Math.min(top, base), Math.max(1, right - left), Math.abs(base - top));
    }
    return { stroke: fill, fill, clip: null };
  };
}

/**
 * Draws a plot into `container`, replacing the one before; the plot stays as wide as the
 * container. The instance is kept as `container.uplot` (the browser tests read its scales).
 */
export function drawPlot(container, options, data) {
  container.uplot?.destroy();
  container.replaceChildren();
  const width = () => Math.max(260, container.clientWidth || 600);
  const plot = new uPlot({ width: width(), height: HEIGHT, ms: 1, ...options }, data, container);
  container.uplot = plot;
  if (!container.resizeWatch) {
    container.resizeWatch = new ResizeObserver(() => {
      const plotNow = container.uplot;
      if (plotNow && Math.abs(plotNow.width - width()) > 1) plotNow.setSize({ width: width(), height: HEIGHT });
    });
    container.resizeWatch.observe(container);
  }
  return plot;
}

/** The x scale of a time span [from, to] in ms, whatever the data. */
export const spanScale = ([from, to]) => ({ time: true, range: () => [from, to] });
