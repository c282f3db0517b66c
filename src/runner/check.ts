import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeReplayToken } from '../../properties/replay-token';
import type { PropertyCheckResult } from '../../properties/result';
import type { InterfaceVersion } from '../kernel';
import type { ConformanceReport } from '../report';
import { buildReport, failureTexts } from './build-report';
import { CandidateLoadError, loadCandidate, resolveCandidate, type Candidate, type ResolvedCandidate } from './candidate';
import type { CandidateCoverage } from './isolation/coverage';
import { runIsolated } from './isolation/run-isolated';
import { PROPERTY_CHECKS, availableProperties } from './properties';
import { planUnits, type PropertyName, type WorkUnit } from './units';

/** The suite's own folder (two levels above this file). */
export const SUITE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The bundled reference provider, checked when no candidate is given. */
export const REFERENCE_CANDIDATE = path.join(SUITE_ROOT, 'src', 'reference', 'index.ts');
/** The seed of a run that names none: fixed, so a CI gate is deterministic. */
export const DEFAULT_SEED = 20261123;
/** Runs per property and interface version by default. */
export const DEFAULT_RUNS = 1000;

/** The suite's version, from package.json. */
export function toolVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(SUITE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** What to check. */
export interface CheckOptions {
  /** Module path or package folder; undefined checks the bundled reference. */
  readonly candidate?: string;
  readonly runs?: number;
  readonly seed?: number;
  readonly interfaceVersions?: readonly InterfaceVersion[];
  readonly properties?: readonly PropertyName[];
  readonly shard?: { readonly index: number; readonly count: number };
  /** Rerun exactly one counterexample from its token. */
  readonly replay?: string;
  /** Called after each unit (for progress output). */
  readonly onUnit?: (unit: WorkUnit, result: PropertyCheckResult) => void;
  /** Called when the run starts and as it makes progress (units finished, runs made; see {@link RunProgress}). */
  readonly onProgress?: (progress: RunProgress) => void;
  /** Lets a long run stop early (SIGINT). */
  readonly shouldStop?: () => boolean;
  /** Run the candidate in a worker thread with a watchdog and a heap limit (default true). */
  readonly isolate?: boolean;
  /** Watchdog bound for one candidate routine, in ms (isolated runs; default 10,000). */
  readonly watchdogMs?: number;
  /** Heap limit of the isolated worker, in MB (default 1024). */
  readonly memoryMb?: number;
  /** Collect V8 coverage of the candidate's own files (isolated runs). */
  readonly coverage?: boolean;
  /**
   * Strict mode (the default): failed SHOULD rules fail the verdict like any other. `false`
   * (`--should-warn`) reports them as warnings instead. Every failure, of any level, ends the work
   * unit it happened in, so a warned run made fewer runs than asked (its run count shows it).
   */
  readonly strict?: boolean;
}

/** Counts of a running check (the CLI's progress display). */
export interface RunProgress {
  readonly unitsDone: number;
  readonly unitsTotal: number;
  /** Generated runs made so far. */
  readonly runsDone: number;
  /** Runs planned. */
  readonly runsTotal: number;
  /** Planned runs of finished units plus runs made in the unit in progress (the share done). */
  readonly workDone: number;
}

/** A finished check: the report and the failures as text. */
export interface CheckRun {
  readonly report: ConformanceReport;
  readonly failures: string[];
  readonly candidate: ResolvedCandidate;
  /** The candidate's code coverage, when asked for. */
  readonly coverage?: CandidateCoverage;
}

/**
 * Loads the candidate and holds it against every property on every interface version (or replays
 * one counterexample), then builds the report. Throws CandidateLoadError for a candidate that does
 * not load, and Error for a bad replay token.
 */
export async function runCheck(opts: CheckOptions): Promise<CheckRun> {
  const candidateArg = opts.candidate ?? path.relative(process.cwd(), REFERENCE_CANDIDATE);
  const isolate = opts.isolate ?? true;
  // Isolated runs never import the candidate here: its code runs only in the worker.
  const candidate: ResolvedCandidate = isolate ? resolveCandidate(opts.candidate ?? REFERENCE_CANDIDATE) : await loadCandidate(opts.candidate ?? REFERENCE_CANDIDATE);
  const seed = opts.seed ?? DEFAULT_SEED;
  const runs = opts.runs ?? DEFAULT_RUNS;
  let units: WorkUnit[];
  let versions: InterfaceVersion[];
  let path_: string | undefined;
  if (opts.replay !== undefined) {
    const t = decodeReplayToken(opts.replay);
    if (!PROPERTY_CHECKS[t.property]) throw new Error(`replay token names the '${t.property}' property, which this version of the suite does not have`);
    units = [{ index: 0, property: t.property, interfaceVersion: t.interfaceVersion, seed: t.seed, numRuns: 1 }];
    versions = [t.interfaceVersion];
    path_ = t.path;
  } else {
    versions = [...(opts.interfaceVersions ?? ['1.0', '1.1', '2.0'])];
    units = planUnits(opts.properties ?? availableProperties(), versions, runs, seed, opts.shard);
  }
  const started = new Date();
  const t0 = performance.now();
  const runsTotal = units.reduce((n, u) => n + u.numRuns, 0);
  let unitsDone = 0;
  let runsFinished = 0;
  let workFinished = 0;
  const progress = (inUnit: number) =>
    opts.onProgress?.({ unitsDone, unitsTotal: units.length, runsDone: runsFinished + inUnit, runsTotal, workDone: workFinished + inUnit });
  const onUnit = (u: WorkUnit, r: PropertyCheckResult) => {
    unitsDone++;
    runsFinished += r.numRuns;
    workFinished += u.numRuns;
    opts.onUnit?.(u, r);
    progress(0);
  };
  progress(0);
  let results: PropertyCheckResult[] = [];
  let errors: { message: string; detail?: string }[] = [];
  let incomplete: string | undefined;
  let coverage: CandidateCoverage | undefined;
  if (isolate) {
    const out = await runIsolated(candidate.path, units, {
      ...(opts.watchdogMs !== undefined ? { watchdogMs: opts.watchdogMs } : {}),
      ...(opts.memoryMb !== undefined ? { memoryMb: opts.memoryMb } : {}),
      ...(opts.coverage ? { coverage: true } : {}),
      ...(path_ !== undefined ? { path: path_ } : {}),
      onUnit,
      onProgress: (_u, runs) => progress(runs),
      ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}),
    });
    if (out.loadError !== undefined) throw new CandidateLoadError(out.loadError);
    results = out.results;
    errors = out.errors;
    incomplete = out.incomplete;
    coverage = out.coverage;
  } else {
    const loader = (candidate as Candidate).loader;
    for (const u of units) {
      if (opts.shouldStop?.()) {
        incomplete = `interrupted after ${results.length} of ${units.length} work units`;
        break;
      }
      const check = PROPERTY_CHECKS[u.property]!;
      const r = check(loader, { interfaceVersion: u.interfaceVersion, seed: u.seed, numRuns: u.numRuns, ...(path_ !== undefined ? { path: path_ } : {}) });
      results.push(r);
      onUnit(u, r);
    }
  }
  const report = buildReport({
    candidate,
    candidateArg,
    interfaceVersions: versions,
    seed: opts.replay !== undefined ? units[0]!.seed : seed,
    runs,
    ...(opts.shard ? { shard: opts.shard } : {}),
    startedAt: started,
    durationMs: Math.round(performance.now() - t0),
    results,
    errors,
    ...(incomplete ? { incomplete } : {}),
    suiteRoot: SUITE_ROOT,
    toolVersion: toolVersion(),
    strict: opts.strict ?? true,
  });
  return { report, failures: failureTexts(results, candidateArg), candidate, ...(coverage ? { coverage } : {}) };
}
