// Statistics of run times, one definition for every runtime (the precision panel's WebGPU/wasm timings, the
// companion's and the CLI's benchmarks): median, nearest-rank p90, min, max, mean.
//
// And the paired comparison of two models timed in interleaved rounds (`castaway bench --rounds R`).
//
// Why per round: GPU clocks, host memory and other tenants drift over a run; inside one round two models
// ran seconds apart under the same conditions, so the ratio of their round medians cancels most of the
// drift that the ratio of whole-run medians keeps. The estimate is the median of those per-round ratios;
// its 95% interval comes from a percentile bootstrap over rounds with a fixed seed (same data, same
// figures).

import { seededRandom } from './seeded-inputs';

export interface PairedSpeedup {
  /** Median over rounds of (baseline round median / model round median); > 1 = the model is faster. */
  speedup: number;
  /** 95% percentile-bootstrap interval of `speedup`. */
  ci95: [number, number];
  /** Rounds in which the model's median was lower than the baseline's. */
  roundsFaster: number;
  rounds: number;
}

export interface RunStats {
  runs: number;
  /** Median (mean of the middle two for an even count). */
  median: number;
  /** Nearest-rank 90th percentile. */
  p90: number;
  min: number;
  max: number;
  mean: number;
}

/** Statistics of run times (any unit; NaN for no runs). */
export function runStats(times: readonly number[]): RunStats {
  const n = times.length;
  if (n === 0) return { runs: 0, median: NaN, p90: NaN, min: NaN, max: NaN, mean: NaN };
  const s = [...times].sort((a, b) => a - b);
  const p90 = s[Math.min(n - 1, Math.max(0, Math.ceil(0.9 * n) - 1))];
  return { runs: n, median: medianOfSorted(s), p90, min: s[0], max: s[n - 1], mean: s.reduce((a, b) => a + b, 0) / n };
}

export function median(xs: readonly number[]): number {
  return medianOfSorted([...xs].sort((a, b) => a - b));
}

/** Median of values already in ascending order (mean of the middle two for an even count). */
function medianOfSorted(s: readonly number[]): number {
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/**
 * Speed-up of `model` over `baseline`, both given as times (ms) per round: `model[i]` and `baseline[i]`
 * were timed in the same round i. Rounds where either has no time are left out.
 */
export function pairedSpeedup(
  model: readonly (readonly number[])[],
  baseline: readonly (readonly number[])[],
  resamples = 2000,
  seed = 1,
): PairedSpeedup {
  const ratios: number[] = [];
  let roundsFaster = 0;
  for (let i = 0; i < Math.min(model.length, baseline.length); i++) {
    if (model[i].length === 0 || baseline[i].length === 0) continue;
    const m = median(model[i]);
    const b = median(baseline[i]);
    ratios.push(b / m);
    if (m < b) roundsFaster++;
  }
  const n = ratios.length;
  if (n === 0) return { speedup: NaN, ci95: [NaN, NaN], roundsFaster: 0, rounds: 0 };
  const random = seededRandom(seed);
  const boot: number[] = [];
  const sample = new Array<number>(n);
  for (let r = 0; r < resamples; r++) {
    for (let k = 0; k < n; k++) sample[k] = ratios[Math.floor(random() * n)];
    boot.push(median(sample));
  }
  boot.sort((a, b) => a - b);
  const at = (q: number) => boot[Math.min(boot.length - 1, Math.max(0, Math.round(q * (boot.length - 1))))];
  return { speedup: median(ratios), ci95: [at(0.025), at(0.975)], roundsFaster, rounds: n };
}

/** "1.02x (0.99-1.05), faster in 14/20 rounds" */
export function describeSpeedup(p: PairedSpeedup): string {
  if (p.rounds === 0) return '-';
  return `${p.speedup.toFixed(3)}x (95% CI ${p.ci95[0].toFixed(3)}-${p.ci95[1].toFixed(3)}), faster in ${p.roundsFaster}/${p.rounds} rounds`;
}
