import { MessageChannel, Worker } from 'node:worker_threads';
import type { RuleId } from '../../../spec';
import type { PropertyCheckResult, PropertyFailure } from '../../../properties/result';
import { encodeReplayToken } from '../../../properties/replay-token';
import type { TraceEvent } from '../../trace/trace-event';
import type { WorkUnit } from '../units';
import type { CandidateCoverage } from './coverage';
import { ProgressMessageSchema, type WorkerInput, type WorkerMessage } from './messages';
import { SHARED_STATUS_BYTES, readStatus, type StatusSnapshot } from './shared-status';

/** Limits of an isolated run. */
export interface IsolationOptions {
  /** A candidate routine that does not return for this long is ended (KAPI-05). Default 10 s. */
  readonly watchdogMs?: number;
  /** Heap limit of the worker (MB); beyond it the run ends (KAPI-08). Default 1024. */
  readonly memoryMb?: number;
  /** Budget for loading the candidate. Default max(15 s, 3 x watchdog). */
  readonly loadMs?: number;
  readonly path?: string;
  /** Stop each unit at its first failure. */
  readonly failFast?: boolean;
  /** Rules whose failure does not end a unit under failFast (waived rules). */
  readonly continuePast?: readonly string[];
  /** Collect V8 coverage of the candidate's own files. */
  readonly coverage?: boolean;
  readonly onUnit?: (unit: WorkUnit, result: PropertyCheckResult) => void;
  /** Called as the unit in progress makes runs: `runs` generated runs of `unit` have been made (at most its numRuns). */
  readonly onProgress?: (unit: WorkUnit, runs: number) => void;
  readonly shouldStop?: () => boolean;
}

/** What an isolated run observed. */
export interface IsolatedOutcome {
  readonly results: PropertyCheckResult[];
  /** The candidate did not load (exit code 2). */
  readonly loadError?: string;
  /** Errors of the harness or the worker that are not the candidate's rule violations. */
  readonly errors: { message: string; detail?: string }[];
  /** Set when the run ended before all units (interrupted, or cut short by a violation the worker could not report). */
  readonly incomplete?: string;
  readonly coverage?: CandidateCoverage;
}

/** Compiled (dist/), the worker starts from its JavaScript; from the sources, boot.mjs registers tsx first. */
const COMPILED = import.meta.url.endsWith('.js');
const WORKER_ENTRY = new URL(COMPILED ? './worker-main.js' : './worker-main.ts', import.meta.url).href;
const BOOT = COMPILED ? new URL(WORKER_ENTRY) : new URL('./boot.mjs', import.meta.url);

/**
 * A passing result must have been observed: every generated run loads the driver, so DriverEntry's
 * return was checked at least once per run (a forged "pass" that checked nothing is refused).
 */
function plausible(r: PropertyCheckResult): boolean {
  if (r.failure) return true;
  return r.numRuns >= 1 && (r.exercised.get('DRV-ENTRY-05') ?? 0) >= r.numRuns;
}

/** A failure synthesized by the supervisor for a unit whose worker could not report it. */
function synthesized(unit: WorkUnit, ruleId: RuleId, message: string, status: StatusSnapshot, msix = true): PropertyCheckResult {
  const failure = synthesizedFailure(unit, ruleId, message, status, msix);
  return {
    property: unit.property,
    interfaceVersion: unit.interfaceVersion,
    numRuns: status.run + 1,
    exercised: new Map([[ruleId, 1]]),
    transitions: new Map(),
    failure,
    failures: [failure],
  };
}

function synthesizedFailure(unit: WorkUnit, ruleId: RuleId, message: string, status: StatusSnapshot, msix: boolean): PropertyFailure {
  const trace: TraceEvent[] = status.lastEvents.map((line, i) => ({ seq: i, kind: 'note', text: line }));
  trace.push({ seq: trace.length, kind: 'violation', text: `${ruleId}: ${message}` });
  const path = String(Math.max(0, status.run));
  return {
      violation: { ruleId, message, seq: trace.length - 1, stack: '' },
      harnessError: null,
      steps: [`generated run #${status.run} of ${unit.property} on NetDMA ${unit.interfaceVersion} (seed ${unit.seed}); the trace ends where it stopped`],
      trace,
      seed: unit.seed,
      path,
      replay: encodeReplayToken({ v: 1, property: unit.property, interfaceVersion: unit.interfaceVersion, msix, seed: unit.seed, path, machine: 1 }),
      numRunsToFailure: status.run + 1,
      shrinks: 0,
  };
}

/**
 * Runs the units in a worker thread with a heap limit, so the candidate cannot reach the checker's
 * state, crash the CLI or hang it. The verdict is built here, outside the worker, from what the
 * worker reported — and from what the watchdog saw when the worker could not report.
 */
export function runIsolated(candidatePath: string, units: readonly WorkUnit[], opts: IsolationOptions = {}): Promise<IsolatedOutcome> {
  const watchdogMs = opts.watchdogMs ?? 10_000;
  const loadMs = opts.loadMs ?? Math.max(15_000, 3 * watchdogMs);
  const sab = new SharedArrayBuffer(SHARED_STATUS_BYTES);
  const input: WorkerInput = { entry: WORKER_ENTRY, candidatePath, units, sab, ...(opts.path !== undefined ? { path: opts.path } : {}), ...(opts.failFast ? { failFast: true } : {}), ...(opts.continuePast !== undefined ? { continuePast: [...opts.continuePast] } : {}), ...(opts.coverage ? { coverage: true } : {}) };
  let coverage: CandidateCoverage | undefined;
  const results: PropertyCheckResult[] = [];
  const errors: { message: string; detail?: string }[] = [];
  const channel = new MessageChannel();
  return new Promise((resolve) => {
    const worker = new Worker(BOOT, { workerData: input, resourceLimits: { maxOldGenerationSizeMb: opts.memoryMb ?? 1024 }, stdout: true, stderr: true });
    const port1 = channel.port1;
    let loaded = false;
    let settled = false;
    let loadError: string | undefined;
    let incomplete: string | undefined;
    let lastBeat = -1;
    let lastChange = Date.now();
    const started = Date.now();
    const pending = () => units[results.length];
    const finish = () => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      port1.close();
      void worker.terminate();
      resolve({ results, errors, ...(loadError !== undefined ? { loadError } : {}), ...(incomplete !== undefined ? { incomplete } : {}), ...(coverage ? { coverage } : {}) });
    };
    const fail = (ruleId: RuleId, message: string) => {
      const u = pending();
      if (u) results.push(synthesized(u, ruleId, message, readStatus(sab)));
      if (results.length < units.length) incomplete = `stopped after ${results.length} of ${units.length} work units: ${message}`;
      finish();
    };
    const timer = setInterval(() => {
      if (opts.shouldStop?.()) {
        incomplete = `interrupted after ${results.length} of ${units.length} work units`;
        finish();
        return;
      }
      const s = readStatus(sab);
      if (s.heartbeat !== lastBeat) {
        lastBeat = s.heartbeat;
        lastChange = Date.now();
        return;
      }
      if (!loaded) {
        if (Date.now() - started > loadMs) {
          loadError = `the candidate did not finish loading within ${loadMs / 1000} s (an endless loop at module top level?)`;
          finish();
        }
        return;
      }
      if (Date.now() - lastChange > watchdogMs) {
        const where = s.depth > 0 && s.routine ? `${s.routine} did not return` : 'the run made no progress';
        fail('KAPI-05', `${where} within ${watchdogMs / 1000} s (watchdog); the worker was ended`);
      }
    }, Math.min(250, Math.max(20, watchdogMs / 4)));
    worker.stdout.resume();
    worker.stderr.resume();
    // Results come only through a private port handed over in the first message; anything the
    // candidate posts on the worker's own channel is ignored.
    worker.postMessage({ port: channel.port2 }, [channel.port2]);
    port1.on('message', (m: WorkerMessage) => {
      switch (m.type) {
        case 'loaded':
          loaded = true;
          lastChange = Date.now();
          return;
        case 'load-error':
          loadError = m.message;
          finish();
          return;
        case 'unit': {
          const u = units.find((x) => x.index === m.index);
          if (!u || !plausible(m.result)) {
            errors.push({ message: 'the worker reported a result the suite did not observe', detail: `work unit ${m.index}: ${u ? 'fewer DriverEntry calls than runs' : 'unknown unit'}` });
            incomplete = `stopped after ${results.length} of ${units.length} work units: implausible result`;
            finish();
            return;
          }
          // The worker checked the shared runtime after this unit (KAPI-07) and it ran within the heap limit (KAPI-08).
          const ex = m.result.exercised as Map<RuleId, number>;
          for (const id of ['KAPI-07', 'KAPI-08'] as const) ex.set(id, (ex.get(id) ?? 0) + 1);
          results.push(m.result);
          opts.onUnit?.(u, m.result);
          return;
        }
        case 'tampered':
          fail('KAPI-07', `the candidate changed shared runtime objects: ${m.changed.slice(0, 8).join(', ')}${m.changed.length > 8 ? ` and ${m.changed.length - 8} more` : ''}`);
          return;
        case 'crash':
          errors.push({ message: `the harness failed while checking work unit ${m.index}`, detail: m.message });
          incomplete = `stopped after ${results.length} of ${units.length} work units: harness failure`;
          finish();
          return;
        case 'coverage':
          coverage = m.coverage;
          return;
        case 'progress': {
          const p = ProgressMessageSchema.safeParse(m);
          const u = pending();
          // Only the unit in progress counts; a late or malformed message is dropped (progress is cosmetic).
          if (p.success && u && u.index === p.data.index) opts.onProgress?.(u, Math.min(p.data.run, u.numRuns));
          return;
        }
        case 'done':
          finish();
          return;
      }
    });
    worker.on('error', (e: Error & { code?: string }) => {
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') fail('KAPI-08', `the run exhausted its ${opts.memoryMb ?? 1024} MB heap (unbounded allocation); the worker was ended`);
      else if (!loaded) {
        loadError = `cannot load candidate: ${e.message}`;
        finish();
      } else fail('KAPI-04', `the candidate's code threw outside any routine the kernel called (${e.name}: ${e.message})`);
    });
    worker.on('exit', (code) => {
      if (settled) return;
      if (!loaded) loadError = `the worker exited with code ${code} while loading the candidate`;
      else fail('KAPI-04', `the worker ended (exit code ${code}) before reporting; the candidate ended the run`);
      finish();
    });
  });
}
