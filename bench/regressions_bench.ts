/**
 * Performance regression detection on seeded synthetic series (not run by CI):
 *   recall — a 20 % step (either way) is found within 10 runs of where it happened;
 *   false positives — change points on stationary series of 1,000 runs with 10 % noise;
 *   time — analysing 1,000 series of 1,000 points.
 * Usage: npx bun bench/regressions_bench.ts [--seeds 100] [--repeat 5] [--min-magnitude 0.05]
 */
import { cpus, totalmem } from "node:os";
import { changePoints, type ChangePointOptions } from "../monitor/regressions/edivisive.ts";
import { syntheticSeries } from "../monitor/regressions/synthetic.ts";
import { DETECTOR_DEFAULTS } from "../monitor/regressions/detect.ts";
import { measureDelay, measureFalsePositives, measureRecall } from "../monitor/regressions/measure.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const seeds = arg("seeds", 100);
const repeat = arg("repeat", 5);
const options: ChangePointOptions = { ...DETECTOR_DEFAULTS, minMagnitude: arg("min-magnitude", DETECTOR_DEFAULTS.minMagnitude) };

if (import.meta.main) {
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${process.platform} ${process.arch}, Bun ${Bun.version}`);
  console.log(`options: ${JSON.stringify(options)}`);
  console.log("recall:", measureRecall(seeds, options));
  console.log("false positives:", measureFalsePositives(seeds, options));
  console.log("runs needed after a 20 % step before it is reported:", measureDelay(seeds, options));
  const series = Array.from({ length: 1000 }, (_, i) =>
    syntheticSeries({ length: 1000, noise: 0.1, seed: 5_000_000 + i, step: i % 10 === 0 ? { at: 500, change: -0.3 } : undefined }));
  const times: number[] = [];
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    let found = 0;
    for (const s of series) found += changePoints(s, options).length;
    times.push((performance.now() - t0) / 1000);
    console.log(`run ${r + 1}: ${times.at(-1)!.toFixed(2)} s (${found} change points in 1,000 series; 100 had a 30 % step)`);
  }
  times.sort((a, b) => a - b);
  console.log(`1,000 series × 1,000 points: median ${times[Math.floor(times.length / 2)]!.toFixed(2)} s, min ${times[0]!.toFixed(2)} s, max ${times.at(-1)!.toFixed(2)} s`);
}
