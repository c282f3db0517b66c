import type { RuleId } from '../spec';
import type { InterfaceVersion, Violation } from '../src/kernel';
import type { TraceEvent } from '../src/trace/trace-event';

/** A failure a property found, shrunk, with everything a report and a replay need. */
export interface PropertyFailure {
  readonly violation: Violation | null;
  readonly harnessError: string | null;
  /** The shrunk sequence that ran, one line per step (IRPs, client calls, engine steps). */
  readonly steps: readonly string[];
  readonly trace: readonly TraceEvent[];
  readonly seed: number;
  readonly path: string;
  /**
   * Token that reruns exactly this counterexample: the property layer writes the case's `ndc1.`
   * token; the runner binds it to the candidate (`ndc2.`, with the candidate's path and hash).
   */
  readonly replay: string;
  /** Generated cases until the first failure, and shrink steps taken. */
  readonly numRunsToFailure: number;
  readonly shrinks: number;
}

/** What one property check found. */
export interface PropertyCheckResult {
  readonly property: 'lifecycle' | 'datapath';
  readonly interfaceVersion: InterfaceVersion;
  /** Generated runs made: the whole budget, unless fail-fast or a harness error ended the search. */
  readonly numRuns: number;
  /** The first failure found (null when none): `failures[0]`. */
  readonly failure: PropertyFailure | null;
  /** Every failure found, one per rule, in the order found (see `./search`). */
  readonly failures: readonly PropertyFailure[];
  /** Rule checks made in passing runs. */
  readonly exercised: ReadonlyMap<RuleId, number>;
  /** (state|event) transitions of the PnP graph taken (empty for properties that do not walk it). */
  readonly transitions: ReadonlyMap<string, number>;
  /**
   * The machine configurations the runs used: runs per `dimension=value` key (`channels=5`,
   * `cpus=33`, `interrupts=msi`, `memory=above-4GiB`, `xfercap=12`; see `./machine-shape`).
   */
  readonly configurations?: ReadonlyMap<string, number>;
}

/** Options every property check takes. */
export interface PropertyCheckOptions {
  readonly interfaceVersion: InterfaceVersion;
  readonly seed: number;
  readonly numRuns: number;
  readonly msix?: boolean;
  /** Replay exactly this counterexample path (from a replay token). */
  readonly path?: string;
  /** Stop at the first failure (the old behaviour: quickest red) instead of searching on for other rules. */
  readonly failFast?: boolean;
  /**
   * Rules whose failure does not end the unit even under `failFast` (the team's waived rules): the
   * search tolerates them and goes on, as it does after any failure without `failFast`.
   */
  readonly continuePast?: readonly string[];
}

/** A failure as a person reads it: the rule, the shrunk IRP sequence, the timeline tail, the replay token. */
export function formatFailure(f: PropertyFailure, candidate = '<candidate>'): string {
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
