import path from 'node:path';
import { REFERENCE_CANDIDATE } from '../src/runner';
import { conformanceSuite } from '../src/vitest';
import { SEED } from './seed';

/**
 * `NETDMA_CANDIDATE=<path> npm test` holds that candidate against both properties (lifecycle and
 * data path, every interface version); unset, the bundled reference. It is the suite a driver
 * team's repository runs through `netdma-conformance/vitest`: the candidate runs in the CLI's
 * isolated worker, each property × interface version is one test named after the candidate, and
 * every failed rule fails its test, as a default (strict) `netdma-conformance check` does. With
 * NETDMA_CANDIDATE set, vitest.config.ts runs only this file.
 */
const spec = process.env['NETDMA_CANDIDATE'] || path.relative(process.cwd(), REFERENCE_CANDIDATE);
const RUNS = Number(process.env['NETDMA_RUNS'] || 1000);

conformanceSuite(spec, { runs: RUNS, seed: SEED });
