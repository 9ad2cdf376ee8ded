// Display formatting shared by the dashboard's views. Raw values stay in data-value attributes.

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/** 1536 → "1.5 KiB"; negative values keep their sign (a file that grew). */
export function bytes(value) {
  if (value === null || value === undefined) return "–";
  const sign = value < 0 ? "−" : "";
  let n = Math.abs(value);
  let unit = 0;
  while (n >= 1024 && unit < UNITS.length - 1) {
    n /= 1024;
    unit++;
  }
  return `${sign}${unit === 0 ? n : n.toFixed(1)} ${UNITS[unit]}`;
}

/** 0.8333 → "83.3 %" (ratio) */
export const ratio = (value) => (value === null || value === undefined ? "–" : `${(value * 100).toFixed(1)} %`);

/** 49.25 → "49.3 %" (already a percentage) */
export const percent = (value) => (value === null || value === undefined ? "–" : `${value.toFixed(1)} %`);

/** 1234567 → "1,234,567" */
export const count = (value) => (value === null || value === undefined ? "–" : value.toLocaleString("en-US"));

/** Seconds → "45.2 s", "6 min 12 s", "2 h 05 min". */
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

/** ISO instant → local date and time. */
export function when(iso) {
  if (!iso) return "–";
  return new Date(iso).toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

/** ISO instant → a short local date and time for narrow columns: "Mar 4, 14:05", or "Mar 4, 2024" in another year. */
export function shortWhen(iso) {
  if (!iso) return "–";
  const date = new Date(iso);
  if (date.getFullYear() !== new Date().getFullYear()) return date.toLocaleDateString("en-US", { year: "numeric", month: "short", day: "numeric" });
  return `${date.toLocaleDateString("en-US", { month: "short", day: "numeric" })}, ${date.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" })}`;
}

/** bits/s → "2.5 Mb/s" */
export function bitrate(bps) {
  if (bps === null || bps === undefined) return "–";
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(1)} Mb/s`;
  if (bps >= 1e3) return `${(bps / 1e3).toFixed(0)} kb/s`;
  return `${bps} b/s`;
}

/** The last path segment, for narrow tables. */
export const basename = (path) => path.split(/[\\/]/).pop() || path;

/** Creates an element with text and attributes: el("td", { class: "num" }, "42"). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
