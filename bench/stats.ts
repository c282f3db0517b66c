/**
 * Statistics and scheduling helpers of the benchmark harness: median/min/max summaries and the
 * interleaved, alternating-order schedule on which a figure and its baseline are measured side
 * by side in one process.
 *
 * @module
 */

/** Median, min and max of a set of samples (plus the samples, in measurement order). */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly samples: readonly number[];
}

/** The median: the middle sample, or the mean of the two middle samples for an even count. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('median of no samples');
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median, min and max of `xs` (at least one sample, all finite). */
export function summarize(xs: readonly number[]): Summary {
  if (xs.length === 0) throw new RangeError('summary of no samples');
  if (!xs.every(Number.isFinite)) throw new RangeError(`non-finite sample in [${xs.join(', ')}]`);
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), samples: [...xs] };
}

/** Which of the pair runs in a slot of the schedule. */
export type Side = 'subject' | 'baseline';

/**
 * The order of a `rounds`-round interleaved measurement: each round measures both sides once,
 * and the side that goes first alternates (subject first in even rounds, baseline first in odd
 * ones), so warm-up, GC debt and thermal drift do not favour one side.
 */
export function interleavedOrder(rounds: number): Array<readonly [Side, Side]> {
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`rounds ${rounds} must be a positive integer`);
  return Array.from({ length: rounds }, (_, r) => (r % 2 === 0 ? (['subject', 'baseline'] as const) : (['baseline', 'subject'] as const)));
}

/** Samples of an interleaved measurement. */
export interface PairSamples {
  readonly subject: readonly number[];
  readonly baseline: readonly number[];
  /** `subject[r] / baseline[r]`: the ratio of each round's adjacent pair. */
  readonly ratio: readonly number[];
  /** The sides in the order they ran. */
  readonly order: readonly Side[];
}

/**
 * Runs `subject` and `baseline` alternately over `rounds` rounds (see {@link interleavedOrder});
 * each call returns one sample (a rate or a duration, the caller decides).
 */
export function measurePair(rounds: number, subject: () => number, baseline: () => number): PairSamples {
  const s: number[] = [];
  const b: number[] = [];
  const order: Side[] = [];
  for (const pair of interleavedOrder(rounds)) {
    for (const side of pair) {
      order.push(side);
      if (side === 'subject') s.push(subject());
      else b.push(baseline());
    }
  }
  return { subject: s, baseline: b, ratio: s.map((x, i) => x / b[i]!), order };
}

/** Async variant of {@link measurePair} (for child-process timings). */
export async function measurePairAsync(rounds: number, subject: () => Promise<number>, baseline: () => Promise<number>): Promise<PairSamples> {
  const s: number[] = [];
  const b: number[] = [];
  const order: Side[] = [];
  for (const pair of interleavedOrder(rounds)) {
    for (const side of pair) {
      order.push(side);
      if (side === 'subject') s.push(await subject());
      else b.push(await baseline());
    }
  }
  return { subject: s, baseline: b, ratio: s.map((x, i) => x / b[i]!), order };
}

/**
 * Warms `fn` up before it is calibrated and measured, as JMH runs warm-up iterations: calls it in
 * batches that double from 1 until `ms` milliseconds of `now()` have passed, so the JIT has
 * compiled its hot functions and the figure does not depend on which benchmark ran before it.
 * Returns the number of iterations run. `now` is injectable for tests (default: the
 * high-resolution clock).
 */
export function warmUp(fn: (iterations: number) => void, ms: number, now: () => number = () => Number(process.hrtime.bigint()) / 1e6): number {
  const t0 = now();
  let total = 0;
  for (let n = 1; ; n = Math.min(n * 2, 1 << 20)) {
    fn(n);
    total += n;
    if (now() - t0 >= ms) return total;
  }
}

/**
 * Calibrates how many iterations of `fn` fill about `targetMs` (doubling from 1, after one
 * warm-up call), so that one sample is long enough to time reliably.
 */
export function calibrate(fn: (iterations: number) => void, targetMs: number, maxIterations = 1 << 24): number {
  fn(1);
  let n = 1;
  for (;;) {
    const t = timeMs(() => fn(n));
    if (t >= targetMs / 4 || n >= maxIterations) {
      const scaled = t <= 0 ? n * 4 : Math.ceil((n * targetMs) / t);
      return Math.max(1, Math.min(maxIterations, scaled));
    }
    n *= 2;
  }
}

/** Wall time of `fn` in milliseconds (high-resolution clock). */
export function timeMs(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Rate of `fn(iterations)`: `units` processed per second. */
export function rate(fn: (iterations: number) => void, iterations: number, unitsPerIteration: number): number {
  const ms = timeMs(() => fn(iterations));
  return (iterations * unitsPerIteration * 1000) / Math.max(ms, 1e-6);
}
