import { MessagePort, parentPort, workerData } from 'node:worker_threads';
import { setProbe } from '../../kernel/verifier/probe';
import { CandidateLoadError, loadCandidate, resolveCandidate } from '../candidate';
import { startCoverage } from './coverage';
import { PROPERTY_CHECKS } from '../properties';
import { SUITE_ROOT_FROM_WORKER, freezeChecker } from './freeze';
import { changedGlobals, snapshotGlobals } from './globals';
import { PROGRESS_EVERY_RUNS, type WorkerInput, type WorkerMessage } from './messages';
import { statusWriter } from './shared-status';

// Captured before any candidate code exists: the way results leave this worker.
const send = MessagePort.prototype.postMessage;
const apply = Reflect.apply;

/** Thrown by the worker's process.exit: a driver cannot end the system. */
class ProcessExit extends Error {
  constructor(code: unknown) {
    super(`process.exit(${String(code)}) was called; a driver cannot end the system (it would be KeBugCheckEx)`);
    this.name = 'ProcessExit';
  }
}

const input = workerData as WorkerInput;
// The private port arrives in the first message; the candidate never sees it.
const port = await new Promise<MessagePort>((resolve) => parentPort!.once('message', (m: { port: MessagePort }) => resolve(m.port)));
const post = (m: WorkerMessage) => apply(send, port, [m]);

process.exit = ((code?: number) => {
  throw new ProcessExit(code);
}) as typeof process.exit;
await freezeChecker(SUITE_ROOT_FROM_WORKER);
const before = snapshotGlobals();
const status = statusWriter(input.sab);
// The unit being checked, for progress messages (every PROGRESS_EVERY_RUNS generated runs).
let unitIndex = -1;
setProbe({
  ...status,
  run(index) {
    status.run(index);
    if (index % PROGRESS_EVERY_RUNS === 0 && unitIndex >= 0) post({ type: 'progress', index: unitIndex, run: index });
  },
});

const takeCoverage = input.coverage ? await startCoverage(resolveCandidate(input.candidatePath).root) : null;
let candidate;
try {
  candidate = await loadCandidate(input.candidatePath);
  post({ type: 'loaded' });
} catch (e) {
  post({ type: 'load-error', message: e instanceof CandidateLoadError ? e.message : `cannot load candidate: ${e instanceof Error ? e.message : String(e)}` });
}
if (candidate) {
  for (const u of input.units) {
    const check = PROPERTY_CHECKS[u.property]!;
    unitIndex = u.index;
    let result;
    try {
      result = check(candidate.loader, { interfaceVersion: u.interfaceVersion, seed: u.seed, numRuns: u.numRuns, ...(input.path !== undefined ? { path: input.path } : {}), ...(input.failFast ? { failFast: true } : {}), ...(input.continuePast !== undefined ? { continuePast: input.continuePast } : {}) });
    } catch (e) {
      // A candidate that patched the runtime can break the checker itself: that is its violation.
      const changed = changedGlobals(before);
      if (changed.length > 0) post({ type: 'tampered', index: u.index, changed });
      else post({ type: 'crash', index: u.index, message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
      break;
    }
    const changed = changedGlobals(before);
    if (changed.length > 0) {
      post({ type: 'tampered', index: u.index, changed });
      break;
    }
    post({ type: 'unit', index: u.index, result });
  }
  if (takeCoverage) post({ type: 'coverage', coverage: await takeCoverage() });
  post({ type: 'done' });
}
