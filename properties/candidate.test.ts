import { describe, expect, it } from 'vitest';
import { loadCandidate, REFERENCE_CANDIDATE } from '../src/runner';
import { checkDatapath } from './datapath/property';
import { checkLifecycle } from './lifecycle/property';
import { formatFailure } from './result';
import { SEED } from './seed';

/**
 * `NETDMA_CANDIDATE=<path> npm test` holds that candidate against both properties (lifecycle and
 * data path, every interface version); unset, the bundled reference. Every failed rule fails the
 * test, as a default (strict) `netdma-conformance check` does.
 */
const spec = process.env['NETDMA_CANDIDATE'] || REFERENCE_CANDIDATE;
const RUNS = Number(process.env['NETDMA_RUNS'] || 1000);

describe(`candidate ${spec}`, async () => {
  const candidate = await loadCandidate(spec);
  it.each(['1.0', '1.1', '2.0'] as const)(`conforms to the PnP/IRP lifecycle on NetDMA %s (${RUNS} runs, seed ${SEED})`, (iv) => {
    const r = checkLifecycle(candidate.loader, { interfaceVersion: iv, seed: SEED, numRuns: RUNS });
    if (r.failure) expect.fail(`${candidate.name} is nonconformant on NetDMA ${iv}:\n${formatFailure(r.failure, spec)}`);
  });
  it.each(['1.0', '1.1', '2.0'] as const)(`copies correctly through the data path on NetDMA %s (${RUNS} runs, seed ${SEED})`, (iv) => {
    const r = checkDatapath(candidate.loader, { interfaceVersion: iv, seed: SEED, numRuns: RUNS });
    if (r.failure) expect.fail(`${candidate.name} is nonconformant on NetDMA ${iv}:\n${formatFailure(r.failure, spec)}`);
  });
});
