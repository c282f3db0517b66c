import fc from 'fast-check';
import type { RuleId } from '../../spec';
import type { DriverImageLoader } from '../../src/kernel';
import { probe } from '../../src/kernel/core/probe';
import type { PropertyCheckOptions, PropertyCheckResult, PropertyFailure } from '../result';
import { encodeReplayToken } from '../replay-token';
import { copiesInputArb, datapathInputArb, pnpInputArb, type DatapathInput, type Workload } from './commands';
import { runDatapathWorkload, type DatapathRunResult } from './run-datapath';

/** A data-path failure also carries the generated input that produced it. */
export interface DatapathFailure extends PropertyFailure {
  readonly counterexample: DatapathInput;
}

/** Totals over the passing runs. */
export interface DatapathStats {
  readonly runs: Record<Workload, number>;
  readonly copies: number;
  readonly verifiedCopies: number;
  readonly descriptors: number;
  readonly engineSteps: number;
  readonly errors: number;
  readonly isrs: number;
  readonly dpcs: number;
  readonly suspends: number;
  readonly aborts: number;
  readonly resets: number;
}

/** What a data-path check found. */
export interface DatapathCheckResult extends PropertyCheckResult {
  readonly failure: DatapathFailure | null;
  readonly stats: DatapathStats;
}

class RunFailed extends Error {
  constructor(readonly result: DatapathRunResult) {
    super(result.violation ? `[${result.violation.ruleId}] ${result.violation.message}` : `harness error: ${result.harnessError}`);
  }
}

const ARBITRARIES = { mixed: datapathInputArb, copies: copiesInputArb, pnp: pnpInputArb } as const;

/**
 * Holds a candidate's data path against the checks on `numRuns` random copy workloads (fast-check,
 * seeded): linked chains on NetDMA 1.x, counted chains on 2.0. `workload` narrows the generated runs
 * (the CLI and replay tokens use the default, `mixed`). On failure the counterexample is shrunk and
 * re-run once more to collect its full trace.
 */
export function checkDatapath(loader: DriverImageLoader, opts: PropertyCheckOptions, workload: keyof typeof ARBITRARIES = 'mixed'): DatapathCheckResult {
  const exercised = new Map<RuleId, number>();
  const transitions = new Map<string, number>();
  const stats = { runs: { copies: 0, pnp: 0 }, copies: 0, verifiedCopies: 0, descriptors: 0, engineSteps: 0, errors: 0, isrs: 0, dpcs: 0, suspends: 0, aborts: 0, resets: 0 };
  const runOpts = { interfaceVersion: opts.interfaceVersion, msix: opts.msix ?? true };
  let runIndex = 0;
  const prop = fc.property(ARBITRARIES[workload], (input) => {
    probe()?.run(runIndex++);
    const r = runDatapathWorkload(loader, input, runOpts);
    if (r.violation || r.harnessError) throw new RunFailed(r);
    for (const [k, v] of r.exercised) exercised.set(k, (exercised.get(k) ?? 0) + v);
    for (const [k, v] of r.transitions) transitions.set(k, (transitions.get(k) ?? 0) + v);
    stats.runs[input.workload]++;
    for (const k of ['copies', 'verifiedCopies', 'descriptors', 'engineSteps', 'errors', 'isrs', 'dpcs', 'suspends', 'aborts', 'resets'] as const) stats[k] += r.stats[k];
  });
  const details = fc.check(prop, {
    seed: opts.seed,
    numRuns: opts.numRuns,
    ...(opts.path !== undefined ? { path: opts.path, endOnFailure: true } : {}),
  });
  const base = { property: 'datapath' as const, interfaceVersion: opts.interfaceVersion, numRuns: details.numRuns, exercised, transitions, stats };
  if (!details.failed || details.counterexample === null) return { ...base, failure: null };
  const [input] = details.counterexample;
  const rerun = runDatapathWorkload(loader, input, runOpts);
  const path = details.counterexamplePath ?? '0';
  return {
    ...base,
    failure: {
      violation: rerun.violation,
      harnessError: rerun.harnessError,
      steps: rerun.steps,
      trace: rerun.trace,
      counterexample: input,
      seed: details.seed,
      path,
      replay: encodeReplayToken({ v: 1, property: 'datapath', interfaceVersion: opts.interfaceVersion, msix: runOpts.msix, seed: details.seed, path }),
      numRunsToFailure: details.numRuns,
      shrinks: details.numShrinks,
    },
  };
}

export { formatFailure } from '../result';
