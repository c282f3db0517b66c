import fc from 'fast-check';
import type { RuleId } from '../../spec';
import type { DriverImageLoader } from '../../src/kernel';
import { probe } from '../../src/kernel/verifier/probe';
import type { PropertyCheckOptions, PropertyCheckResult, PropertyFailure } from '../result';
import { encodeReplayToken } from '../replay-token';
import { lifecycleInputArb, type LifecycleInput } from './commands';
import { runLifecycle, type RunResult } from './run-lifecycle';

/** A lifecycle failure also carries the generated input that produced it. */
export interface LifecycleFailure extends PropertyFailure {
  readonly counterexample: LifecycleInput;
}

/** What a lifecycle check found. */
export interface LifecycleCheckResult extends PropertyCheckResult {
  readonly failure: LifecycleFailure | null;
}

class RunFailed extends Error {
  constructor(readonly result: RunResult) {
    super(result.violation ? `[${result.violation.ruleId}] ${result.violation.message}` : `harness error: ${result.harnessError}`);
  }
}

/**
 * Holds a candidate against the PnP/IRP model on `numRuns` random lifecycles (fast-check, seeded).
 * On failure the counterexample is shrunk and re-run once more to collect its full trace.
 */
export function checkLifecycle(loader: DriverImageLoader, opts: PropertyCheckOptions): LifecycleCheckResult {
  const exercised = new Map<RuleId, number>();
  const transitions = new Map<string, number>();
  const runOpts = { interfaceVersion: opts.interfaceVersion, msix: opts.msix ?? true };
  let runIndex = 0;
  const prop = fc.property(lifecycleInputArb, (input) => {
    probe()?.run(runIndex++);
    const r = runLifecycle(loader, input, { ...runOpts, recordTrace: false });
    if (r.violation || r.harnessError) throw new RunFailed(r);
    for (const [k, v] of r.exercised) exercised.set(k, (exercised.get(k) ?? 0) + v);
    for (const [k, v] of r.transitions) transitions.set(k, (transitions.get(k) ?? 0) + v);
  });
  const details = fc.check(prop, {
    seed: opts.seed,
    numRuns: opts.numRuns,
    ...(opts.path !== undefined ? { path: opts.path, endOnFailure: true } : {}),
  });
  if (!details.failed || details.counterexample === null) {
    return { property: 'lifecycle', interfaceVersion: opts.interfaceVersion, numRuns: details.numRuns, failure: null, exercised, transitions };
  }
  const [input] = details.counterexample;
  const rerun = runLifecycle(loader, input, runOpts);
  for (const [k, v] of rerun.exercised) exercised.set(k, (exercised.get(k) ?? 0) + v);
  for (const [k, v] of rerun.transitions) transitions.set(k, (transitions.get(k) ?? 0) + v);
  const path = details.counterexamplePath ?? '0';
  return {
    property: 'lifecycle',
    interfaceVersion: opts.interfaceVersion,
    numRuns: details.numRuns,
    exercised,
    transitions,
    failure: {
      violation: rerun.violation,
      harnessError: rerun.harnessError,
      steps: rerun.steps,
      trace: rerun.trace,
      counterexample: input,
      seed: details.seed,
      path,
      replay: encodeReplayToken({ v: 1, property: 'lifecycle', interfaceVersion: opts.interfaceVersion, msix: runOpts.msix, seed: details.seed, path }),
      numRunsToFailure: details.numRuns,
      shrinks: details.numShrinks,
    },
  };
}

export { formatFailure } from '../result';
