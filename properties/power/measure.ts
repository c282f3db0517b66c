/**
 * Measuring the suite's power: run a faulty provider (or a correct one) through a property — the
 * lifecycle property for the lifecycle catalog, the data-path property for the data-path catalog —
 * and record what the suite did with it: the rule, the cases until the first failure, the shrunk
 * counterexample's length against the shortest one possible for that bug (lifecycle only).
 *
 * Used by properties/power/power.test.ts (the self-test in `npm test`) and by the kill matrix
 * (src/runner/kill-matrix.ts).
 *
 * @module
 */
import type { RuleId } from '../../spec';
import type { FaultyEntry, Version } from '../../candidates/faulty/catalog';
import { faulty } from '../../candidates/faulty/faulty';
import type { CorrectEntry } from '../../candidates/correct/catalog';
import { checkLifecycle } from '../lifecycle/property';
import { checkDatapath } from '../datapath/property';

/** The properties the suite's power is measured on. */

/**
 * The steps of a counterexample, without its parenthetical notes (the machine a run drew, the engine's
 * XFERCAP or DCA): those describe the world the steps ran in, they are not steps.
 */
function stepCount(steps: readonly string[]): number {
  let n = 0;
  for (const s of steps) if (!s.startsWith('(')) n++;
  return n;
}
export type PowerProperty = 'lifecycle' | 'datapath';

/** Every interface version. */
export const ALL_VERSIONS: readonly Version[] = ['1.0', '1.1', '2.0'];

/** Default runs per faulty provider and version (a killed bug stops at its first failure). */
export const FAULTY_RUNS = 300;
/** Default runs per correct provider and version: the acceptance bar of the reference. */
export const CORRECT_RUNS = 1000;
/**
 * Default data-path runs per correct provider and version (a data-path run costs several lifecycle runs:
 * copies through the engine, byte oracle, engine model).
 */
export const CORRECT_DATAPATH_RUNS = 500;

/**
 * How much longer than the declared minimum a shrunk counterexample may be: two steps, for the
 * two ways fast-check's shrinking (of commands, not of the IRPs inside them) stops short of the
 * minimum, seen in the kill matrix:
 * - +1: the generator's `start`/`rebalance` scenarios are one command that sends FILTER with START
 *   (or FILTER inside a rebalance), so a bug that needs only START keeps the FILTER step;
 * - +1: shrinking removes commands and lets the teardown reach the bug on its own, longer legal
 *   path (QUERY_REMOVE then REMOVE where a SURPRISE_REMOVAL would do; REMOVE then Unload where a
 *   failing AddDevice would do), or shrinks an AddDevice fault toward `none` and keeps a second
 *   AddDevice to carry it.
 * Both together give +2; anything longer means the shrinker kept a step the bug does not need.
 */
export const SHRINK_SLACK = 2;

/** The shortest counterexample declared for `entry` (steps, as `failure.steps` counts them). */
export function minimalStepsOf(entry: FaultyEntry): number | undefined {
  return entry.minimalSteps;
}

/** What the suite did with one faulty provider on one interface version. */
export interface FaultyMeasurement {
  readonly property: PowerProperty;
  readonly name: string;
  readonly version: Version;
  readonly expects: readonly RuleId[];
  readonly killed: boolean;
  /** The rule that caught it (null when it survived or the harness failed). */
  readonly ruleId: RuleId | null;
  /** Whether the rule is one the catalog declares. */
  readonly expectedRule: boolean;
  readonly harnessError: string | null;
  /** Generated cases until the first failure. */
  readonly casesToKill: number | null;
  /**
   * Length of the shrunk counterexample, in steps (lifecycle: DriverEntry, AddDevice, IRPs,
   * Unload; data path: the lines of `failure.steps` — IRPs, client calls, engine steps).
   */
  readonly shrunkSteps: number | null;
  /** Data path only: generated commands left in the shrunk input (Allocate, Copy, Pnp, ...). */
  readonly shrunkCommands: number | null;
  readonly steps: readonly string[];
  readonly shrinks: number | null;
  /** The declared shortest counterexample. */
  readonly minimalSteps: number | null;
  /** shrunkSteps - minimalSteps. */
  readonly excess: number | null;
  readonly replay: string | null;
  /** Runs made (numRuns when it survived). */
  readonly runs: number;
}

/** Runs one faulty provider on one version, fail-fast: the matrix measures the cases until the first failure. */
export function measureFaulty(entry: FaultyEntry, version: Version, opts: { readonly seed: number; readonly runs?: number }): FaultyMeasurement {
  const r = checkLifecycle(faulty(entry.name), { interfaceVersion: version, seed: opts.seed, numRuns: opts.runs ?? FAULTY_RUNS, failFast: true });
  const f = r.failure;
  const minimal = minimalStepsOf(entry) ?? null;
  const ruleId = f?.violation?.ruleId ?? null;
  return {
    property: 'lifecycle',
    name: entry.name,
    version,
    expects: entry.expects,
    killed: f !== null && f.violation !== null,
    ruleId,
    expectedRule: ruleId !== null && entry.expects.includes(ruleId),
    harnessError: f?.harnessError ?? null,
    casesToKill: f ? f.numRunsToFailure : null,
    shrunkSteps: f ? stepCount(f.steps) : null,
    shrunkCommands: null,
    steps: f ? f.steps : [],
    shrinks: f ? f.shrinks : null,
    minimalSteps: minimal,
    excess: f && minimal !== null ? stepCount(f.steps) - minimal : null,
    replay: f ? f.replay : null,
    runs: r.numRuns,
  };
}

/**
 * Runs one faulty data-path provider on one version through `checkDatapath` (the default `mixed`
 * workload, as the CLI runs it). No declared minimum: `minimalSteps` and `excess` are null.
 */
export function measureFaultyDatapath(entry: FaultyEntry, version: Version, opts: { readonly seed: number; readonly runs?: number }): FaultyMeasurement {
  const r = checkDatapath(faulty(entry.name), { interfaceVersion: version, seed: opts.seed, numRuns: opts.runs ?? FAULTY_RUNS, failFast: true });
  const f = r.failure;
  const ruleId = f?.violation?.ruleId ?? null;
  return {
    property: 'datapath',
    name: entry.name,
    version,
    expects: entry.expects,
    killed: f !== null && f.violation !== null,
    ruleId,
    expectedRule: ruleId !== null && entry.expects.includes(ruleId),
    harnessError: f?.harnessError ?? null,
    casesToKill: f ? f.numRunsToFailure : null,
    shrunkSteps: f ? stepCount(f.steps) : null,
    shrunkCommands: f ? f.counterexample.commands.length : null,
    steps: f ? f.steps : [],
    shrinks: f ? f.shrinks : null,
    minimalSteps: null,
    excess: null,
    replay: f ? f.replay : null,
    runs: r.numRuns,
  };
}

/** What the suite did with one correct provider on one interface version. */
export interface CorrectMeasurement {
  readonly property: PowerProperty;
  readonly name: string;
  readonly version: Version;
  readonly accepted: boolean;
  readonly runs: number;
  readonly ruleId: RuleId | null;
  readonly harnessError: string | null;
  readonly steps: readonly string[];
  readonly replay: string | null;
}

/** Runs one correct provider on one version against one property. */
function measureCorrectWith(property: 'lifecycle' | 'datapath', entry: CorrectEntry, version: Version, runs: number, seed: number): CorrectMeasurement {
  const opts = { interfaceVersion: version, seed, numRuns: runs };
  const r = property === 'lifecycle' ? checkLifecycle(entry.loader, opts) : checkDatapath(entry.loader, opts);
  const f = r.failure;
  return {
    property,
    name: entry.name,
    version,
    accepted: f === null,
    runs: r.numRuns,
    ruleId: f?.violation?.ruleId ?? null,
    harnessError: f?.harnessError ?? null,
    steps: f ? f.steps : [],
    replay: f ? f.replay : null,
  };
}

/** Runs one correct provider on one version through `checkLifecycle`. */
export function measureCorrect(entry: CorrectEntry, version: Version, opts: { readonly seed: number; readonly runs?: number }): CorrectMeasurement {
  return measureCorrectWith('lifecycle', entry, version, opts.runs ?? CORRECT_RUNS, opts.seed);
}

/** Runs one correct provider on one version through `checkDatapath` (`mixed` workload). */
export function measureCorrectDatapath(entry: CorrectEntry, version: Version, opts: { readonly seed: number; readonly runs?: number }): CorrectMeasurement {
  return measureCorrectWith('datapath', entry, version, opts.runs ?? CORRECT_DATAPATH_RUNS, opts.seed);
}

/** The median of `xs` (mean of the middle two for an even count); null when empty. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
