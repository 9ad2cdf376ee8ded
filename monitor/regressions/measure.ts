import { type ChangePointOptions, changePoints } from "./edivisive.ts";
import { syntheticSeries } from "./synthetic.ts";

/**
 * The detector's figures on seeded series, as the README reports them (bench/regressions_bench.ts)
 * and the tests hold it to. All series are 1,000 runs at 10 % noise.
 */

/** Where the step of seed `seed` is, and which way: a ±20 % step at a point in [100, 900). */
const stepOf = (seed: number) => ({ at: 100 + ((seed * 7919) % 800), change: seed % 2 === 0 ? 0.2 : -0.2 });

/** Recall: how many ±20 % steps are reported within 10 runs of where they happened, the right way. */
export function measureRecall(count: number, options: ChangePointOptions) {
  let found = 0;
  let worstOffset = 0;
  for (let seed = 1; seed <= count; seed++) {
    const step = stepOf(seed);
    const points = changePoints(syntheticSeries({ length: 1000, noise: 0.1, step, seed }), options);
    const hit = points.find((p) => Math.abs(p.index - step.at) <= 10 && Math.sign(p.forwardChange) === Math.sign(step.change));
    if (hit) {
      found++;
      worstOffset = Math.max(worstOffset, Math.abs(hit.index - step.at));
    }
  }
  return { seeds: count, found, recall: found / count, worstOffset };
}

/** False positives: change points reported on stationary series. */
export function measureFalsePositives(count: number, options: ChangePointOptions) {
  let points = 0;
  let seriesWithAny = 0;
  for (let seed = 1; seed <= count; seed++) {
    const found = changePoints(syntheticSeries({ length: 1000, noise: 0.1, seed: 1_000_000 + seed }), options).length;
    points += found;
    if (found > 0) seriesWithAny++;
  }
  return { seeds: count, points, seriesWithAny };
}

/** How many runs after a 20 % step must exist before it is reported (median and worst over the seeds; null = never within 100). */
export function measureDelay(count: number, options: ChangePointOptions) {
  const delays: (number | null)[] = [];
  for (let seed = 1; seed <= count; seed++) {
    const step = stepOf(seed);
    const series = syntheticSeries({ length: 1000, noise: 0.1, step, seed });
    let delay: number | null = null;
    for (let after = 1; after <= 100; after++) {
      const points = changePoints(series.slice(0, step.at + after), options);
      if (points.some((p) => Math.abs(p.index - step.at) <= 10)) {
        delay = after;
        break;
      }
    }
    delays.push(delay);
  }
  const known = delays.filter((d): d is number => d !== null).sort((a, b) => a - b);
  return { seeds: count, median: known[Math.floor(known.length / 2)] ?? null, worst: known.at(-1) ?? null, never: delays.length - known.length };
}
