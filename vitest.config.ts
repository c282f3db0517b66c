import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // NETDMA_CANDIDATE=<path> npm test checks that one candidate: only its suite runs.
    include: process.env['NETDMA_CANDIDATE'] ? ['properties/candidate.test.ts'] : ['test/**/*.test.ts', 'properties/**/*.test.ts', 'spec/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Every core (vitest's default leaves one free: one worker on a 2-core CI machine).
    maxWorkers: Math.max(1, availableParallelism()),
  },
});
