/**
 * The search goes on past a failure: every failing rule, each shrunk holding to its own rule, each
 * replayable alone; `failFast` keeps the old stop-at-first.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RuleId } from '../spec';
import { faulty } from '../candidates/faulty/faulty';
import { checkLifecycle } from './lifecycle/property';
import { decodeReplayToken } from './replay-token';
import { searchFailures, type SearchRun } from './search';

// A toy property: 3000 <= x < 6000 breaks rule A, x >= 8000 breaks rule B. A B case shrinks
// through A cases (half of 8000-odd is in A's range): held to B, it stops at 8000.
const A = 'PNP-CSTOP-01' as RuleId;
const B = 'PNP-SURP-02' as RuleId;
function toy(x: number): SearchRun & { x: number } {
  const rule = x >= 3000 && x < 6000 ? A : x >= 8000 ? B : null;
  return { x, harnessError: null, violation: rule === null ? null : { ruleId: rule, message: `x=${x}`, seq: 0, stack: '' } };
}
const arb = fc.integer({ min: 0, max: 10_000 });

describe('searchFailures', () => {
  it('finds every rule within the budget, each shrunk to its own smallest case, and counts tolerated runs', () => {
    const seen: { x: number; tolerated: boolean }[] = [];
    const out = searchFailures(arb, toy, (r, _x, tolerated) => seen.push({ x: r.x, tolerated }), { interfaceVersion: '2.0', seed: 3, numRuns: 200 });
    expect(out.numRuns).toBe(200);
    expect(out.found.map((f) => toy(f.input).violation?.ruleId).sort()).toEqual([A, B]);
    // Each counterexample is its rule's smallest: shrinking held to the rule.
    expect(out.found.find((f) => toy(f.input).violation?.ruleId === A)!.input).toBe(3000);
    expect(out.found.find((f) => toy(f.input).violation?.ruleId === B)!.input).toBe(8000);
    // Every generated run but the two that failed first is observed; the later A/B cases are tolerated.
    expect(seen.length).toBe(198);
    expect(seen.filter((s) => s.tolerated).length).toBeGreaterThan(0);
    expect(seen.every((s) => s.tolerated === (toy(s.x).violation !== null))).toBe(true);
    // The same stream of cases as one uninterrupted fc.check: the runs observed are its values minus the two failing ones.
    const all: number[] = [];
    fc.check(fc.property(arb, (x) => void all.push(x)), { seed: 3, numRuns: 200 });
    const firsts = out.found.map((f) => f.numRunsToFailure - 1);
    expect(seen.map((s) => s.x)).toEqual(all.filter((_, i) => !firsts.includes(i)));
  });

  it('a replayed path is exactly its case, whatever was tolerated when it was found', () => {
    const out = searchFailures(arb, toy, () => undefined, { interfaceVersion: '2.0', seed: 3, numRuns: 200 });
    for (const f of out.found) {
      const again = searchFailures(arb, toy, () => undefined, { interfaceVersion: '2.0', seed: f.seed, numRuns: 1, path: f.path });
      expect(again.found.map((g) => g.input)).toEqual([f.input]);
    }
  });

  it('failFast stops at the first failure', () => {
    const out = searchFailures(arb, toy, () => undefined, { interfaceVersion: '2.0', seed: 3, numRuns: 200, failFast: true });
    expect(out.found).toHaveLength(1);
    expect(out.numRuns).toBe(out.found[0]!.numRunsToFailure);
    expect(out.numRuns).toBeLessThan(200);
  });

  it('failFast goes on past a waived rule (continuePast) and stops at the first other failure', () => {
    const first = searchFailures(arb, toy, () => undefined, { interfaceVersion: '2.0', seed: 3, numRuns: 200, failFast: true });
    const firstRule = toy(first.found[0]!.input).violation!.ruleId;
    const out = searchFailures(arb, toy, () => undefined, { interfaceVersion: '2.0', seed: 3, numRuns: 200, failFast: true, continuePast: [firstRule] });
    expect(out.found.map((f) => toy(f.input).violation?.ruleId)).toEqual([firstRule, firstRule === A ? B : A]);
    expect(out.numRuns).toBe(out.found[1]!.numRunsToFailure);
    const both = searchFailures(arb, toy, () => undefined, { interfaceVersion: '2.0', seed: 3, numRuns: 200, failFast: true, continuePast: [A, B] });
    expect(both.numRuns).toBe(200);
  });

  it('a harness error ends the search', () => {
    const broken = (x: number): SearchRun => (x >= 7000 && x < 8000 ? { violation: null, harnessError: 'boom' } : toy(x));
    const out = searchFailures(arb, broken, () => undefined, { interfaceVersion: '2.0', seed: 3, numRuns: 200 });
    const last = out.found[out.found.length - 1]!;
    expect(broken(last.input).harnessError).toBe('boom');
    expect(out.numRuns).toBe(last.numRunsToFailure);
  });
});

describe('a provider with two lifecycle bugs', () => {
  const loader = faulty('cancel-stop-fails', 'surprise-no-stop');
  it('one check reports both rules over the whole budget, each with a token that replays it alone', () => {
    const r = checkLifecycle(loader, { interfaceVersion: '2.0', seed: 7, numRuns: 250 });
    expect(r.numRuns).toBe(250);
    expect(r.failures.map((f) => f.violation?.ruleId).sort()).toEqual(['PNP-CSTOP-01', 'PNP-SURP-02']);
    expect(r.failure).toBe(r.failures[0]);
    for (const f of r.failures) {
      const t = decodeReplayToken(f.replay);
      const again = checkLifecycle(loader, { interfaceVersion: t.interfaceVersion, msix: t.msix, seed: t.seed, path: t.path, numRuns: 1 });
      expect(again.numRuns).toBe(1);
      expect(again.failures.map((g) => g.violation?.ruleId)).toEqual([f.violation!.ruleId]);
      expect(again.failure?.steps).toEqual(f.steps);
    }
  });
  it('--fail-fast: the first rule only, and fewer runs', () => {
    const r = checkLifecycle(loader, { interfaceVersion: '2.0', seed: 7, numRuns: 250, failFast: true });
    expect(r.failures).toHaveLength(1);
    expect(r.numRuns).toBeLessThan(250);
  });
});
