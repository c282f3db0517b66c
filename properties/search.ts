/**
 * The search every property makes: generated runs from a seed, and — unless `failFast` — past a
 * failure to the end of the budget, so one run reports every failing rule.
 *
 * How a search goes on after a failure:
 *
 * - Each failure is found by one `fc.check` round. When a generated case fails with rule R, the
 *   round shrinks it **holding to R** (a smaller case that fails with another rule is not taken),
 *   so every reported rule has its own shortest counterexample.
 * - R then joins the unit's *tolerated* set and a new round starts at the next generated case
 *   (fast-check's `path` option with the case's index: the same stream of cases, continued). A
 *   case whose violation is a tolerated rule is not a new failure: it counts as a run, and the rule
 *   checks it made before the violation ended it (a violation is a bug check: the run stops there)
 *   count as exercised, as observed. A case violating a rule not yet reported is a new failure.
 * - A harness error (no rule) ends the search: nothing after it is trusted.
 *
 * A replay needs no tolerated set: a reported counterexample's first violation is its rule (the
 * shrink held to it), and a run stops at its first violation, so the case replays alike whatever
 * was tolerated when it was found. Its fast-check path is absolute (the index of the generated
 * case, then the shrink steps), so `seed` + `path` name the case.
 *
 * @module
 */
import fc from 'fast-check';
import type { RuleId } from '../spec';
import type { Violation } from '../src/kernel';
import { probe } from '../src/kernel/verifier/probe';
import type { PropertyCheckOptions } from './result';

/** What one generated run reports to the search. */
export interface SearchRun {
  readonly violation: Violation | null;
  readonly harnessError: string | null;
}

/** One failure the search found, shrunk. */
export interface Found<I> {
  /** The shrunk case. */
  readonly input: I;
  readonly seed: number;
  /** Absolute fast-check path of the shrunk case. */
  readonly path: string;
  /** 1-based index (within the unit) of the generated case that first showed this failure. */
  readonly numRunsToFailure: number;
  readonly shrinks: number;
}

/** What a search did. */
export interface SearchOutcome<I> {
  /** Generated runs made (tolerated ones included; shrink runs not). */
  readonly numRuns: number;
  /** Failures in the order found: distinct rules (a harness error, if any, is last). */
  readonly found: readonly Found<I>[];
}

class RunFailed extends Error {
  constructor(readonly result: SearchRun) {
    super(result.violation ? `[${result.violation.ruleId}] ${result.violation.message}` : `harness error: ${result.harnessError}`);
  }
}

/**
 * Runs `numRuns` generated cases of `arb` through `run` (or replays `opts.path`), shrinking each
 * new failure. `observe` is called for every counted run that did not fail newly: passing runs and
 * tolerated ones (with `tolerated` true); it is not called for shrink runs.
 */
export function searchFailures<I, R extends SearchRun>(
  arb: fc.Arbitrary<I>,
  run: (input: I) => R,
  observe: (result: R, input: I, tolerated: boolean) => void,
  opts: PropertyCheckOptions,
): SearchOutcome<I> {
  const tolerated = new Set<RuleId>();
  // undefined: looking for a new failure; a rule id (or null for a harness error): shrinking it.
  const state: { target: RuleId | null | undefined; next: number } = { target: undefined, next: 0 };
  const prop = fc.property(arb, (input) => {
    const target = state.target;
    if (target !== undefined) {
      // Shrinking: only the same failure counts; shrink runs are not counted.
      const r = run(input);
      if (target === null ? r.harnessError !== null && r.violation === null : r.violation?.ruleId === target) throw new RunFailed(r);
      return;
    }
    probe()?.run(state.next++);
    const r = run(input);
    if (r.violation === null && r.harnessError === null) {
      observe(r, input, false);
      return;
    }
    if (r.violation !== null && tolerated.has(r.violation.ruleId)) {
      observe(r, input, true);
      return;
    }
    state.target = r.violation?.ruleId ?? null;
    throw new RunFailed(r);
  });

  if (opts.path !== undefined) {
    const d = fc.check(prop, { seed: opts.seed, numRuns: opts.numRuns, path: opts.path, endOnFailure: true });
    if (!d.failed || d.counterexample === null) return { numRuns: d.numRuns, found: [] };
    return { numRuns: d.numRuns, found: [{ input: d.counterexample[0], seed: d.seed, path: d.counterexamplePath ?? opts.path, numRunsToFailure: 1, shrinks: d.numShrinks }] };
  }

  const found: Found<I>[] = [];
  let pos = 0;
  while (pos < opts.numRuns) {
    state.target = undefined;
    state.next = pos;
    const d = fc.check(prop, { seed: opts.seed, numRuns: opts.numRuns - pos, ...(pos > 0 ? { path: String(pos) } : {}) });
    if (!d.failed) return { numRuns: opts.numRuns, found };
    if (d.counterexample === null) throw new Error('fast-check reported a failure without a counterexample');
    const path = d.counterexamplePath ?? String(pos);
    const index = Number(path.split(':')[0]);
    found.push({ input: d.counterexample[0], seed: d.seed, path, numRunsToFailure: index + 1, shrinks: d.numShrinks });
    const target = state.target;
    if (target === undefined || target === null || (opts.failFast === true && !(opts.continuePast ?? []).includes(target))) return { numRuns: index + 1, found };
    tolerated.add(target);
    pos = index + 1;
  }
  return { numRuns: opts.numRuns, found };
}
