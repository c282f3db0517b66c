import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from '../../src/cli/suggest';

const CHECK = ['runs', 'seed', 'replay', 'interface-version', 'report-dir', 'format', 'min-coverage', 'shard', 'coverage', 'watchdog-ms', 'memory-mb', 'should-warn', 'quiet', 'help'];
const word = fc.string({ unit: fc.constantFrom(...'abcdefr-'), maxLength: 12 });

/** One random edit: insert, delete, substitute or swap two neighbours. */
const oneEdit = (w: string) =>
  fc.tuple(fc.nat({ max: Math.max(0, w.length - 1) }), fc.constantFrom(...'xyzq'), fc.constantFrom('ins', 'del', 'sub', 'swap')).map(([i, c, op]) => {
    if (op === 'ins' || w.length === 0) return w.slice(0, i) + c + w.slice(i);
    if (op === 'del') return w.slice(0, i) + w.slice(i + 1);
    if (op === 'sub') return w.slice(0, i) + c + w.slice(i + 1);
    return i + 1 < w.length ? w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2) : w.slice(0, i) + c;
  });

describe('edit distance', () => {
  it('is 0 exactly for equal strings, symmetric, and at most the longer length', () => {
    fc.assert(
      fc.property(word, word, (a, b) => {
        const d = editDistance(a, b);
        expect(d === 0).toBe(a === b);
        expect(editDistance(b, a)).toBe(d);
        expect(d).toBeLessThanOrEqual(Math.max(a.length, b.length));
        expect(d).toBeGreaterThanOrEqual(Math.abs(a.length - b.length));
      }),
    );
  });

  it('one edit (including a transposition) costs at most 1', () => {
    fc.assert(
      fc.property(word.chain((w) => fc.tuple(fc.constant(w), oneEdit(w))), ([w, typo]) => {
        expect(editDistance(w, typo)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it.each([
    ['kitten', 'sitting', 3],
    ['rusn', 'runs', 1],
    ['', 'abc', 3],
  ])('%s / %s = %i', (a, b, d) => expect(editDistance(a, b)).toBe(d));
});

describe('did you mean', () => {
  it('a single typo of an option suggests an option at least as close as the one meant', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CHECK).chain((w) => fc.tuple(fc.constant(w), oneEdit(w))), ([meant, typo]) => {
        fc.pre(!CHECK.includes(typo));
        const s = didYouMean(typo, CHECK);
        expect(s).toBeDefined();
        expect(editDistance(typo, s!)).toBeLessThanOrEqual(editDistance(typo, meant));
      }),
    );
  });

  it.each([
    ['rusn', 'runs'],
    ['sed', 'seed'],
    ['report', 'report-dir'],
    ['interface', 'interface-version'],
    ['QUIET', 'quiet'],
    ['shuold-warn', 'should-warn'],
    ['covrage', 'coverage'],
  ])('%s -> %s', (typo, meant) => expect(didYouMean(typo, CHECK)).toBe(meant));

  it('suggests nothing for a known word or one far from every known word', () => {
    expect(didYouMean('runs', CHECK)).toBeUndefined();
    expect(didYouMean('banana-split', CHECK)).toBeUndefined();
    expect(didYouMean('', CHECK)).toBeUndefined();
    expect(didYouMean('chek', ['check', 'merge', 'help'])).toBe('check');
  });
});
