/**
 * Seeded synthetic performance series, for the detector's tests and benchmark: a level with
 * Gaussian noise, optionally stepping once. Same seed, same series, on every machine.
 */

/** mulberry32: a small, fast, well-distributed 32-bit PRNG. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal deviates (Box–Muller) from a uniform source. */
export function gaussian(random: () => number): () => number {
  return () => {
    const u = Math.max(random(), Number.EPSILON);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
}

export interface SeriesSpec {
  length: number;
  level?: number;
  /** Standard deviation as a fraction of the level (0.1 = 10 % noise). */
  noise?: number;
  /** A step: from point `at` on, the level is multiplied by (1 + change). */
  step?: { at: number; change: number };
  seed: number;
}

/** A series per the spec; values stay positive. */
export function syntheticSeries(spec: SeriesSpec): number[] {
  const level = spec.level ?? 100;
  const normal = gaussian(seededRandom(spec.seed));
  return Array.from({ length: spec.length }, (_, i) => {
    const base = spec.step && i >= spec.step.at ? level * (1 + spec.step.change) : level;
    return Math.max(base * 0.01, base + normal() * level * (spec.noise ?? 0.1));
  });
}
