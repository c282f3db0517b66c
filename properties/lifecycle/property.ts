import type { RuleId } from '../../spec';
import type { DriverImageLoader } from '../../src/kernel';
import type { PropertyCheckOptions, PropertyCheckResult, PropertyFailure } from '../result';
import { encodeReplayToken } from '../replay-token';
import { searchFailures } from '../search';
import { countConfiguration } from '../machine-shape';
import { lifecycleInputArb, type LifecycleInput } from './commands';
import { runLifecycle, type RunResult } from './run-lifecycle';

/** A lifecycle failure also carries the generated input that produced it. */
export interface LifecycleFailure extends PropertyFailure {
  readonly counterexample: LifecycleInput;
}

/** What a lifecycle check found. */
export interface LifecycleCheckResult extends PropertyCheckResult {
  readonly failure: LifecycleFailure | null;
  readonly failures: readonly LifecycleFailure[];
}

/**
 * Holds a candidate against the PnP/IRP model on `numRuns` random lifecycles (fast-check, seeded).
 * Each failing rule's counterexample is shrunk and re-run once more to collect its full trace; the
 * search goes on past a failure to the end of the budget unless `failFast` (see `../search`).
 */
export function checkLifecycle(loader: DriverImageLoader, opts: PropertyCheckOptions): LifecycleCheckResult {
  const exercised = new Map<RuleId, number>();
  const transitions = new Map<string, number>();
  const configurations = new Map<string, number>();
  const runOpts = { interfaceVersion: opts.interfaceVersion, msix: opts.msix ?? true };
  const add = (r: RunResult) => {
    for (const [k, v] of r.exercised) exercised.set(k, (exercised.get(k) ?? 0) + v);
    for (const [k, v] of r.transitions) transitions.set(k, (transitions.get(k) ?? 0) + v);
    countConfiguration(configurations, r.machine);
  };
  const out = searchFailures(lifecycleInputArb, (input: LifecycleInput) => runLifecycle(loader, input, { ...runOpts, recordTrace: false }), add, opts);
  const failures = out.found.map((f): LifecycleFailure => {
    const rerun = runLifecycle(loader, f.input, runOpts);
    add(rerun);
    return {
      violation: rerun.violation,
      harnessError: rerun.harnessError,
      steps: rerun.steps,
      trace: rerun.trace,
      counterexample: f.input,
      seed: f.seed,
      path: f.path,
      replay: encodeReplayToken({ v: 1, property: 'lifecycle', interfaceVersion: opts.interfaceVersion, msix: runOpts.msix, seed: f.seed, path: f.path, machine: 1 }),
      numRunsToFailure: f.numRunsToFailure,
      shrinks: f.shrinks,
    };
  });
  return { property: 'lifecycle', interfaceVersion: opts.interfaceVersion, numRuns: out.numRuns, exercised, transitions, configurations, failure: failures[0] ?? null, failures };
}

export { formatFailure } from '../result';
