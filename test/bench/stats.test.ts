import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { calibrate, interleavedOrder, measurePair, measurePairAsync, median, summarize, warmUp } from '../../bench/stats';
import { verdict } from '../../bench/report';

describe('bench statistics', () => {
  it('takes the median of odd and even counts without reordering the samples', () => {
    const xs = [5, 1, 4, 2, 3];
    expect(median(xs)).toBe(3);
    expect(xs).toEqual([5, 1, 4, 2, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(() => median([])).toThrow(RangeError);
  });

  it('summarizes median, min and max', () => {
    expect(summarize([3, 9, 1, 7, 5, 2, 8])).toEqual({ median: 5, min: 1, max: 9, samples: [3, 9, 1, 7, 5, 2, 8] });
    expect(() => summarize([1, Number.NaN])).toThrow(RangeError);
  });

  it('alternates which side goes first, round by round', () => {
    expect(interleavedOrder(4)).toEqual([
      ['subject', 'baseline'],
      ['baseline', 'subject'],
      ['subject', 'baseline'],
      ['baseline', 'subject'],
    ]);
    expect(() => interleavedOrder(0)).toThrow(RangeError);
  });

  it('measures the pair in that order and pairs each round for the ratio', () => {
    const calls: string[] = [];
    let s = 0;
    let b = 0;
    const r = measurePair(
      3,
      () => (calls.push('s'), (s += 10)),
      () => (calls.push('b'), (b += 5)),
    );
    expect(calls).toEqual(['s', 'b', 'b', 's', 's', 'b']);
    expect(r.order).toEqual(['subject', 'baseline', 'baseline', 'subject', 'subject', 'baseline']);
    expect(r.subject).toEqual([10, 20, 30]);
    expect(r.baseline).toEqual([5, 10, 15]);
    expect(r.ratio).toEqual([2, 2, 2]);
  });

  it('does the same for async (child-process) measurements', async () => {
    const calls: string[] = [];
    const r = await measurePairAsync(
      2,
      async () => (calls.push('s'), 1),
      async () => (calls.push('b'), 2),
    );
    expect(calls).toEqual(['s', 'b', 'b', 's']);
    expect(r.ratio).toEqual([0.5, 0.5]);
  });

  it('calibrates an iteration count that grows with the target time', () => {
    const spin = (n: number): void => {
      let x = 0;
      for (let i = 0; i < n * 1000; i++) x += i;
      if (x < 0) throw new Error('unreachable');
    };
    const n = calibrate(spin, 5, 1 << 16);
    expect(n).toBeGreaterThanOrEqual(1);
    expect(n).toBeLessThanOrEqual(1 << 16);
  });

  it('warms up in doubling batches until the warm-up time has passed (on an injected clock)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 50 }), (ms, msPerCall) => {
        let clock = 0;
        const batches: number[] = [];
        const total = warmUp((n) => {
          batches.push(n);
          clock += msPerCall;
        }, ms, () => clock);
        expect(batches[0]).toBe(1);
        batches.slice(1).forEach((n, i) => expect(n).toBe(Math.min(batches[i]! * 2, 1 << 20)));
        expect(total).toBe(batches.reduce((a, b) => a + b, 0));
        // It stops at the first call that ends at or after the warm-up time, and not before.
        expect(clock).toBeGreaterThanOrEqual(ms);
        expect(clock - msPerCall).toBeLessThan(Math.max(ms, msPerCall));
      }),
      { seed: 20261123 },
    );
  });

  it('marks targets met or missed in the right direction', () => {
    expect(verdict(0.9, { op: '>=', value: 0.8 })).toBe('met');
    expect(verdict(0.7, { op: '>=', value: 0.8 })).toBe('missed');
    expect(verdict(19_000, { op: '<', value: 20_000 })).toBe('met');
    expect(verdict(20_000, { op: '<', value: 20_000 })).toBe('missed');
    expect(verdict(1, undefined)).toBe('no target');
  });
});
