import fc from 'fast-check';
import type { RuleId } from '../../spec';
import type { DriverImageLoader, InterfaceVersion, Violation } from '../../src/kernel';
import type { TraceEvent } from '../../src/trace/trace-event';
import { encodeReplayToken } from '../replay-token';
import { lifecycleInputArb, type LifecycleInput } from './commands';
import { runLifecycle, type RunResult } from './run-lifecycle';

/** Options of {@link checkLifecycle}. */
export interface LifecycleCheckOptions {
  readonly interfaceVersion: InterfaceVersion;
  readonly seed: number;
  readonly numRuns: number;
  readonly msix?: boolean;
  /** Replay exactly this counterexample path (from a replay token). */
  readonly path?: string;
}

/** A failure found by the property, shrunk. */
export interface LifecycleFailure {
  readonly violation: Violation | null;
  readonly harnessError: string | null;
  readonly steps: readonly string[];
  readonly trace: readonly TraceEvent[];
  readonly counterexample: LifecycleInput;
  readonly seed: number;
  readonly path: string;
  readonly replay: string;
  /** Generated cases until the first failure, and shrink steps taken. */
  readonly numRunsToFailure: number;
  readonly shrinks: number;
}

/** What a lifecycle check found. */
export interface LifecycleCheckResult {
  readonly interfaceVersion: InterfaceVersion;
  readonly numRuns: number;
  readonly failure: LifecycleFailure | null;
  /** Rule checks made in passing runs (the failing run's are in the failure). */
  readonly exercised: ReadonlyMap<RuleId, number>;
  readonly transitions: ReadonlyMap<string, number>;
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
export function checkLifecycle(loader: DriverImageLoader, opts: LifecycleCheckOptions): LifecycleCheckResult {
  const exercised = new Map<RuleId, number>();
  const transitions = new Map<string, number>();
  const runOpts = { interfaceVersion: opts.interfaceVersion, msix: opts.msix ?? true };
  const prop = fc.property(lifecycleInputArb, (input) => {
    const r = runLifecycle(loader, input, runOpts);
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
    return { interfaceVersion: opts.interfaceVersion, numRuns: details.numRuns, failure: null, exercised, transitions };
  }
  const [input] = details.counterexample;
  const rerun = runLifecycle(loader, input, runOpts);
  const path = details.counterexamplePath ?? '0';
  return {
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

/** A failure as a person reads it: the rule, the shrunk IRP sequence, the timeline tail, the replay token. */
export function formatFailure(f: LifecycleFailure, candidate = '<candidate>'): string {
  const head = f.violation ? `${f.violation.ruleId}: ${f.violation.message}` : `harness error: ${f.harnessError}`;
  const tail = f.trace.slice(-40).map((e) => `  ${String(e.seq).padStart(4)} ${e.kind.padEnd(9)} ${e.text}`);
  return [
    head,
    `shrunk sequence (${f.steps.length} steps, found after ${f.numRunsToFailure} case(s), ${f.shrinks} shrink(s)):`,
    ...f.steps.map((s, i) => `  ${i + 1}. ${s}`),
    'timeline (last 40 events):',
    ...tail,
    `replay: netdma-conformance check ${candidate} --replay ${f.replay}`,
  ].join('\n');
}
