import { type SideStats, tTestP } from "./student_t.ts";

/**
 * Change points by E-divisive means with a Student's t-test, as Hunter (Fleming et al., "Hunter:
 * Using Change Point Detection to Hunt for Performance Regressions", ICPE 2023) and Apache Otava
 * do it:
 *
 * 1. Split: slide a window (50 points, step 25) over the series; inside each window, divide
 *    recursively at the point maximising the E-statistic q̂ (Matteson & James 2014) while the
 *    t-test between the two sides of the split is significant at a relaxed level (10 × p).
 * 2. Merge: over the whole series, repeatedly drop the weakest of those "weak" change points —
 *    the largest p-value above `maxPValue`, else the smallest relative change below
 *    `minMagnitude` — recomputing its neighbours' statistics between the points that remain.
 *
 * Written from the papers and Otava's description; no code is shared with it.
 */

export interface ChangePointOptions {
  /** Sliding window length (default 50). */
  windowLen?: number;
  /** Significance a change point must reach (default 0.001). */
  maxPValue?: number;
  /** Smallest relative change kept (default 0: any significant change). */
  minMagnitude?: number;
  /**
   * Fewest points on each side of a change kept (default 5): a lone outlier is not a new level.
   * (An addition to Otava, which keeps two change points around a single outlier.)
   */
  minSegment?: number;
}

/** A change: `index` is the first point after it. */
export interface ChangePoint {
  index: number;
  pvalue: number;
  meanBefore: number;
  meanAfter: number;
  /** meanAfter / meanBefore − 1 */
  forwardChange: number;
  /** The larger of the relative changes either way (Otava's magnitude). */
  magnitude: number;
}

/** Prefix sums, so the mean and spread of any slice cost O(1). */
function prefixes(values: Float64Array) {
  const sum = new Float64Array(values.length + 1);
  const sq = new Float64Array(values.length + 1);
  for (let i = 0; i < values.length; i++) {
    sum[i + 1] = sum[i]! + values[i]!;
    sq[i + 1] = sq[i]! + values[i]! * values[i]!;
  }
  return (from: number, to: number): SideStats => {
    const n = to - from;
    if (n <= 0) return { n: 0, mean: 0, ss: 0 };
    const mean = (sum[to]! - sum[from]!) / n;
    return { n, mean, ss: Math.max(0, sq[to]! - sq[from]! - n * mean * mean) };
  };
}

function describe(index: number, left: SideStats, right: SideStats): ChangePoint & { shortest: number } {
  const forward = left.mean === 0 ? 0 : right.mean / left.mean - 1;
  const backward = right.mean === 0 ? 0 : left.mean / right.mean - 1;
  return { index, pvalue: tTestP(left, right), meanBefore: left.mean, meanAfter: right.mean, forwardChange: forward, magnitude: Math.max(Math.abs(forward), Math.abs(backward)), shortest: Math.min(left.n, right.n) };
}

/**
 * The best split of window[s, e) by q̂: for every τ (first point of the right side) and κ (end of
 * the right side), q̂ = 2/(m+n)·Σ|x−y| − 2m/((m+n)(n−1))·Σ|x−x'| − 2n/((m+n)(m−1))·Σ|y−y'|, with
 * n = τ − s, m = κ − τ. Column prefix sums of the distance matrix make it O((e − s)²).
 */
function bestSplit(col: Float64Array, stride: number, s: number, e: number): { index: number; qhat: number } | null {
  if (e - s < 2) return null;
  const P = (k: number, t: number) => col[k * stride + t]!; // Σ_{i<t} |z_i − z_k|
  let best: { index: number; qhat: number } | null = null;
  let withinX = 0; // Σ over pairs inside [s, τ)
  for (let tau = s + 1; tau < e; tau++) {
    withinX += P(tau - 1, tau - 1) - P(tau - 1, s);
    const n = tau - s;
    let cross = 0;
    let withinY = 0;
    for (let kappa = tau + 1; kappa <= e; kappa++) {
      const j = kappa - 1;
      cross += P(j, tau) - P(j, s);
      withinY += P(j, j) - P(j, tau);
      const m = kappa - tau;
      const q = (2 / (m + n)) * cross - (n > 1 ? ((2 * m) / ((m + n) * (n - 1))) * withinX : 0) - (m > 1 ? ((2 * n) / ((m + n) * (m - 1))) * withinY : 0);
      if (best === null || q > best.qhat) best = { index: tau, qhat: q };
    }
  }
  return best;
}

/** Divisive search inside one window [start, end) of the series; returns absolute indices. */
function windowChangePoints(values: Float64Array, start: number, end: number, pvalue: number, stats: ReturnType<typeof prefixes>): number[] {
  const len = end - start;
  const stride = len + 1;
  const col = new Float64Array(len * stride);
  for (let k = 0; k < len; k++) {
    let acc = 0;
    const zk = values[start + k]!;
    for (let t = 0; t < len; t++) {
      col[k * stride + t] = acc;
      acc += Math.abs(values[start + t]! - zk);
    }
    col[k * stride + len] = acc;
  }
  const points: number[] = []; // window coordinates, sorted
  for (;;) {
    const bounds = [0, ...points, len];
    let pick: { index: number; qhat: number; from: number; to: number } | null = null;
    for (let i = 0; i + 1 < bounds.length; i++) {
      const split = bestSplit(col, stride, bounds[i]!, bounds[i + 1]!);
      if (split && (pick === null || split.qhat > pick.qhat)) pick = { ...split, from: bounds[i]!, to: bounds[i + 1]! };
    }
    if (!pick) break;
    const p = tTestP(stats(start + pick.from, start + pick.index), stats(start + pick.index, start + pick.to));
    if (p > pvalue) break;
    points.push(pick.index);
    points.sort((a, b) => a - b);
  }
  return points.map((i) => i + start);
}

/** Statistics of each point between its neighbours. */
function withNeighbours(indices: number[], n: number, stats: ReturnType<typeof prefixes>) {
  return indices.map((index, i) => describe(index, stats(i === 0 ? 0 : indices[i - 1]!, index), stats(index, i + 1 < indices.length ? indices[i + 1]! : n)));
}

/**
 * Change points of a series, oldest first.
 *
 * @example changePoints([10, 10.2, 9.9, …, 7.1, 6.9, …]) // [{ index: 120, forwardChange: -0.3, pvalue: 1e-40, … }]
 */
export function changePoints(series: ArrayLike<number>, options: ChangePointOptions = {}): ChangePoint[] {
  const windowLen = options.windowLen ?? 50;
  const maxP = options.maxPValue ?? 0.001;
  const minMagnitude = options.minMagnitude ?? 0;
  const minSegment = options.minSegment ?? 5;
  const values = Float64Array.from(series as ArrayLike<number>);
  const n = values.length;
  if (n < 3) return [];
  const stats = prefixes(values);
  // Split: weak change points at a relaxed significance, as Otava does.
  const firstPass = maxP < 0.05 ? maxP * 10 : maxP < 0.5 ? maxP * 2 : maxP;
  const step = Math.max(1, Math.floor(windowLen / 2));
  const weak = new Set<number>();
  let start = 0;
  while (start < n) {
    const end = Math.min(start + windowLen, n);
    const found = windowChangePoints(values, start, end, firstPass, stats);
    for (const i of found) weak.add(i);
    start = Math.max(found.length ? found.at(-1)! : 0, start + step);
  }
  // Merge: drop the weakest until every point left is significant and large enough.
  const indices = [...weak].sort((a, b) => a - b);
  let points = withNeighbours(indices, n, stats);
  while (points.length > 0) {
    // Points beside too short a segment go first, the least significant of them first.
    const short = points.map((p, i) => [p, i] as const).filter(([p]) => p.shortest < minSegment);
    let weakest = short.length
      ? short.reduce((w, [p, i]) => (p.pvalue > points[w]!.pvalue ? i : w), short[0]![1])
      : points.reduce((w, p, i) => (p.pvalue > points[w]!.pvalue ? i : w), 0);
    if (!short.length && points[weakest]!.pvalue < maxP) {
      weakest = points.reduce((w, p, i) => (p.magnitude < points[w]!.magnitude ? i : w), 0);
      if (points[weakest]!.magnitude > minMagnitude) break;
    }
    indices.splice(weakest, 1);
    points = withNeighbours(indices, n, stats);
  }
  return points.map(({ shortest: _, ...p }) => p);
}
