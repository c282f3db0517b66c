import type fc from 'fast-check';
import type { RuleId } from '../../spec';
import type { DriverImageLoader } from '../../src/kernel';
import type { PropertyCheckOptions, PropertyCheckResult, PropertyFailure } from '../result';
import { encodeReplayToken } from '../replay-token';
import { searchFailures } from '../search';
import { countConfiguration } from '../machine-shape';
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
  readonly failures: readonly DatapathFailure[];
  readonly stats: DatapathStats;
}

const ARBITRARIES = { mixed: datapathInputArb, copies: copiesInputArb, pnp: pnpInputArb } as const;

/**
 * Holds a candidate's data path against the checks on `numRuns` random copy workloads (fast-check,
 * seeded): linked chains on NetDMA 1.x, counted chains on 2.0. `workload` narrows the generated runs
 * (the CLI and replay tokens use the default, `mixed`). Each failing rule's counterexample is shrunk
 * and re-run once more to collect its full trace; the search goes on past a failure to the end of
 * the budget unless `failFast` (see `../search`). `stats` total the passing runs.
 */
export function checkDatapath(loader: DriverImageLoader, opts: PropertyCheckOptions, workload: keyof typeof ARBITRARIES = 'mixed'): DatapathCheckResult {
  const exercised = new Map<RuleId, number>();
  const transitions = new Map<string, number>();
  const configurations = new Map<string, number>();
  const stats = { runs: { copies: 0, pnp: 0 }, copies: 0, verifiedCopies: 0, descriptors: 0, engineSteps: 0, errors: 0, isrs: 0, dpcs: 0, suspends: 0, aborts: 0, resets: 0 };
  const runOpts = { interfaceVersion: opts.interfaceVersion, msix: opts.msix ?? true };
  const add = (r: DatapathRunResult) => {
    for (const [k, v] of r.exercised) exercised.set(k, (exercised.get(k) ?? 0) + v);
    for (const [k, v] of r.transitions) transitions.set(k, (transitions.get(k) ?? 0) + v);
  };
  const out = searchFailures(
    ARBITRARIES[workload] as fc.Arbitrary<DatapathInput>,
    (input: DatapathInput) => runDatapathWorkload(loader, input, runOpts),
    (r, input, tolerated) => {
      add(r);
      countConfiguration(configurations, r.machine);
      if (tolerated) return;
      stats.runs[input.workload]++;
      for (const k of ['copies', 'verifiedCopies', 'descriptors', 'engineSteps', 'errors', 'isrs', 'dpcs', 'suspends', 'aborts', 'resets'] as const) stats[k] += r.stats[k];
    },
    opts,
  );
  const failures = out.found.map((f): DatapathFailure => {
    const rerun = runDatapathWorkload(loader, f.input, runOpts);
    return {
      violation: rerun.violation,
      harnessError: rerun.harnessError,
      steps: rerun.steps,
      trace: rerun.trace,
      counterexample: f.input,
      seed: f.seed,
      path: f.path,
      replay: encodeReplayToken({ v: 1, property: 'datapath', interfaceVersion: opts.interfaceVersion, msix: runOpts.msix, seed: f.seed, path: f.path, machine: 1 }),
      numRunsToFailure: f.numRunsToFailure,
      shrinks: f.shrinks,
    };
  });
  return { property: 'datapath', interfaceVersion: opts.interfaceVersion, numRuns: out.numRuns, exercised, transitions, configurations, stats, failure: failures[0] ?? null, failures };
}

export { formatFailure } from '../result';
