/** Numbers as reports print them: sizes in binary units, exact bytes with separators, percentages, durations. */

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

export function bytes(exact: number | bigint | null | undefined): string {
  if (exact == null) return "-";
  const n = Number(exact);
  let value = Math.abs(n);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = unit === 0 ? `${value} B` : `${value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2)} ${UNITS[unit]}`;
  return n < 0 ? `-${text}` : text;
}

/** 1234567 → "1,234,567" (bigints too, exactly). */
export const exact = (n: number | bigint | null | undefined): string => (n == null ? "-" : BigInt(typeof n === "number" ? Math.trunc(n) : n).toLocaleString("en-US"));

export const count = (n: number | null | undefined): string => (n == null ? "-" : n.toLocaleString("en-US", { maximumFractionDigits: 2 }));

export const percent = (value: number | null | undefined, digits = 1): string => (value == null ? "-" : `${value.toFixed(digits)}%`);

export const signedPercent = (value: number | null | undefined): string => (value == null ? "-" : `${value > 0 ? "+" : ""}${value.toFixed(1)}%`);

export function duration(seconds: number | null | undefined): string {
  if (seconds == null) return "-";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h} h ${m} min` : `${m} min ${s % 60} s`;
}

/** "2026-01-31T12:00:00.000Z" → "2026-01-31 12:00 UTC". */
export const instant = (iso: string | null | undefined): string => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : "-");
