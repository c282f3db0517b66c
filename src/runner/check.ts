import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertReplayableToken, bindReplayToken, decodeReplayToken } from '../../properties/replay-token';
import type { PropertyCheckResult, PropertyFailure } from '../../properties/result';
import type { InterfaceVersion } from '../kernel';
import type { ConformanceReport } from '../report';
import { buildReport, failureTexts } from './build-report';
import { CandidateLoadError, loadCandidate, resolveCandidate, type Candidate, type ResolvedCandidate } from './candidate';
import { hashCandidate, type CandidateIdentity } from './candidate-hash';
import type { CandidateCoverage } from './isolation/coverage';
import { runIsolatedPool } from './isolation/run-pool';
import { availableParallelism } from 'node:os';
import { PROPERTY_CHECKS, availableProperties } from './properties';
import { planUnits, type PropertyName, type WorkUnit } from './units';
import { loadWaivers, type WaiverChoice } from './waivers';

/** The suite's code folder (two levels above this file): the repository, or its dist/ when compiled. */
export const SUITE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** '.ts' from the sources, '.js' compiled. */
const EXT = path.extname(fileURLToPath(import.meta.url));
/** The folder holding package.json (above dist/ when compiled). */
const PACKAGE_ROOT = EXT === '.js' && path.basename(SUITE_ROOT) === 'dist' ? path.dirname(SUITE_ROOT) : SUITE_ROOT;
/** The bundled reference provider, checked when no candidate is given. */
export const REFERENCE_CANDIDATE = path.join(SUITE_ROOT, 'src', 'reference', `index${EXT}`);
/** The seed of a run that names none: fixed, so a CI gate is deterministic. */
export const DEFAULT_SEED = 20261123;
/** Runs per property and interface version by default. */
export const DEFAULT_RUNS = 1000;

/** The suite's version, from package.json. */
export function toolVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
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
  /**
   * Rerun exactly one counterexample from its token. An `ndc2.` token names its candidate: without
   * `candidate` the token's path is checked; with one whose source hash differs the replay is
   * refused ({@link ReplayMismatchError}). An `ndc1.` token names none: it needs `candidate`, and
   * the report carries a warning that the candidate could not be verified.
   */
  readonly replay?: string;
  /** Stop each work unit at its first failure (quickest red) instead of searching on for other rules. */
  readonly failFast?: boolean;
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
  /** Heap limit of each isolated worker, in MB (default 1024). */
  readonly memoryMb?: number;
  /**
   * Isolated workers run at once (default: the machine's available cores). Units are shared among
   * them; the report is the same for any number (results are joined in plan order).
   */
  readonly jobs?: number;
  /** Collect V8 coverage of the candidate's own files (isolated runs). */
  readonly coverage?: boolean;
  /**
   * Strict mode (the default): failed SHOULD rules fail the verdict like any other. `false`
   * (`--should-warn`) reports them as warnings instead. A failure does not cut its work unit short
   * (unless `failFast`), so a warned run still makes every run asked for.
   */
  readonly strict?: boolean;
  /**
   * The team's waiver file: a path (`--waivers FILE`), `false` for none (`--no-waivers`), or
   * undefined to use the nearest `netdma-conformance.json` from the candidate's folder upwards. A
   * replay reads it the same way, so a replayed waived failure shows as waived. A malformed file
   * throws `WaiverFileError` (exit code 2).
   */
  readonly waivers?: WaiverChoice;
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
  /** What each work unit found, in the order the units finished (the report aggregates them per rule). */
  readonly results: readonly PropertyCheckResult[];
  /** The candidate's code coverage, when asked for. */
  readonly coverage?: CandidateCoverage;
  /** The candidate's path and source hash (what its replay tokens carry). */
  readonly identity: CandidateIdentity;
  /** Things the user should know that are not failures (e.g. an `ndc1.` token replayed unverified). */
  readonly notices: string[];
}

/** A replay token that names another candidate (or another version of this one) than the one given: exit code 2. */
export class ReplayMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayMismatchError';
  }
}

/**
 * Loads the candidate and holds it against every property on every interface version (or replays
 * one counterexample), then builds the report. Throws CandidateLoadError for a candidate that does
 * not load, and Error for a bad replay token.
 */
export async function runCheck(opts: CheckOptions): Promise<CheckRun> {
  const token = opts.replay !== undefined ? decodeReplayToken(opts.replay) : undefined;
  if (token !== undefined) assertReplayableToken(token);
  const notices: string[] = [];
  let given = opts.candidate;
  if (token !== undefined && given === undefined) {
    if (token.v === 1) {
      throw new Error('an ndc1. replay token does not say which candidate it came from: name the candidate (check <candidate> --replay <token>), or rerun check to get an ndc2. token');
    }
    given = token.candidate.path;
    if (!existsSync(path.resolve(given))) throw new CandidateLoadError(`the replay token's candidate ${given} (${token.candidate.hash}) is not found from ${process.cwd()}: run the replay from the directory check ran in, or name the candidate`);
  }
  const candidateArg = given ?? path.relative(process.cwd(), REFERENCE_CANDIDATE);
  const isolate = opts.isolate ?? true;
  // Isolated runs never import the candidate here: its code runs only in the worker.
  const candidate: ResolvedCandidate = isolate ? resolveCandidate(given ?? REFERENCE_CANDIDATE) : await loadCandidate(given ?? REFERENCE_CANDIDATE);
  const identity = hashCandidate(candidate, given ?? REFERENCE_CANDIDATE, SUITE_ROOT);
  if (token?.v === 2 && token.candidate.hash !== identity.hash) {
    throw new ReplayMismatchError(
      `the replay token was made for candidate ${token.candidate.path} (${token.candidate.hash}), but ${identity.path} has ${identity.hash}: ` +
        'its source differs (or it is another candidate), so the token does not replay on it; rerun check on it for a new token',
    );
  }
  const waivers = loadWaivers(opts.waivers, given ?? REFERENCE_CANDIDATE);
  // A waived rule's failure never ends its work unit, even under --fail-fast: the other rules stay backed by the runs asked for.
  const continuePast = waivers?.entries.map((w) => w.rule) ?? [];
  if (token?.v === 1) notices.push(`replaying an ndc1. token: it does not name its candidate, so it was replayed on ${identity.path} unverified (ndc2. tokens carry the candidate's path and hash)`);
  const seed = opts.seed ?? DEFAULT_SEED;
  const runs = opts.runs ?? DEFAULT_RUNS;
  const failFast = opts.failFast ?? false;
  let units: WorkUnit[];
  let versions: InterfaceVersion[];
  let path_: string | undefined;
  if (token !== undefined) {
    const t = token;
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
  // Runs made so far in each unit in progress (one per worker).
  const inProgress = new Map<number, number>();
  const progress = () => {
    let inUnits = 0;
    for (const n of inProgress.values()) inUnits += n;
    opts.onProgress?.({ unitsDone, unitsTotal: units.length, runsDone: runsFinished + inUnits, runsTotal, workDone: workFinished + inUnits });
  };
  const onUnit = (u: WorkUnit, r: PropertyCheckResult) => {
    unitsDone++;
    runsFinished += r.numRuns;
    workFinished += u.numRuns;
    inProgress.delete(u.index);
    opts.onUnit?.(u, r);
    progress();
  };
  progress();
  let results: PropertyCheckResult[] = [];
  let errors: { message: string; detail?: string }[] = [];
  let incomplete: string | undefined;
  let coverage: CandidateCoverage | undefined;
  if (isolate) {
    const jobs = opts.jobs ?? availableParallelism();
    const out = await runIsolatedPool(candidate.path, units, jobs, {
      ...(opts.watchdogMs !== undefined ? { watchdogMs: opts.watchdogMs } : {}),
      ...(opts.memoryMb !== undefined ? { memoryMb: opts.memoryMb } : {}),
      ...(opts.coverage ? { coverage: true } : {}),
      ...(path_ !== undefined ? { path: path_ } : {}),
      ...(failFast ? { failFast: true } : {}),
      ...(failFast && continuePast.length > 0 ? { continuePast } : {}),
      onUnit,
      onProgress: (u, runs) => {
        inProgress.set(u.index, runs);
        progress();
      },
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
      const r = check(loader, { interfaceVersion: u.interfaceVersion, seed: u.seed, numRuns: u.numRuns, ...(path_ !== undefined ? { path: path_ } : {}), ...(failFast ? { failFast: true } : {}), ...(failFast && continuePast.length > 0 ? { continuePast } : {}) });
      results.push(r);
      onUnit(u, r);
    }
  }
  // Every token a report prints names the candidate: path and source hash.
  results = results.map((r) => bindTokens(r, identity));
  const replayed = token === undefined ? undefined : replayOutcome(opts.replay!, token, results);
  if (replayed?.error) errors = [...errors, replayed.error];
  const report = buildReport({
    candidate,
    candidateArg,
    identity,
    interfaceVersions: versions,
    seed: token !== undefined ? units[0]!.seed : seed,
    runs,
    ...(token === undefined ? { options: { runs, properties: [...new Set(units.map((u) => u.property))].sort(), failFast } } : {}),
    ...(replayed ? { replay: replayed.replay } : {}),
    ...(opts.shard ? { shard: opts.shard } : {}),
    startedAt: started,
    durationMs: Math.round(performance.now() - t0),
    results,
    errors,
    ...(incomplete ? { incomplete } : {}),
    suiteRoot: SUITE_ROOT,
    toolVersion: toolVersion(),
    strict: opts.strict ?? true,
    ...(waivers !== undefined ? { waivers } : {}),
  });
  return { report, failures: failureTexts(results, candidateArg), candidate, results, identity, notices, ...(coverage ? { coverage } : {}) };
}

/** The result with each failure's case token bound to the candidate (`ndc2.`). */
function bindTokens(r: PropertyCheckResult, identity: CandidateIdentity): PropertyCheckResult {
  const bind = (f: PropertyFailure): PropertyFailure => ({ ...f, replay: bindReplayToken(f.replay, identity, f.violation?.ruleId) });
  const failures = r.failures.map(bind);
  return { ...r, failures, failure: failures[0] ?? null };
}

/**
 * What a replay showed. A replay is one run of one case: it reproduces a failure or it does not;
 * it never passes a candidate. A case that ran clean is an error (the token did not reproduce),
 * never a conformant verdict.
 */
function replayOutcome(tokenText: string, token: ReturnType<typeof decodeReplayToken>, results: readonly PropertyCheckResult[]): { replay: { token: string; rule?: string; reproduced: boolean }; error?: { message: string; detail?: string } } {
  const rule = token.v === 2 ? token.rule : undefined;
  const seen: string[] = results.flatMap((r) => r.failures.map((f) => f.violation?.ruleId ?? 'harness error'));
  const reproduced = rule === undefined ? seen.length > 0 : seen.includes(rule);
  const replay = { token: tokenText, ...(rule !== undefined ? { rule } : {}), reproduced };
  if (seen.length > 0) return { replay };
  return {
    replay,
    error: {
      message: `the replay did not reproduce ${rule ?? 'a failure'}: its one run passed, which is not a conformance verdict`,
      detail: 'A replay runs one counterexample once. Its run passing means the token does not reproduce here (another suite version, or a nondeterministic candidate); run check without --replay for a verdict.',
    },
  };
}
