import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConformanceReportSchema, mergeReports, type ConformanceReport } from '../../src/report';
import { reportArb, shardsArb } from './arbitraries';
import { makeFailure, makeReport, makeRule, sampleTimeline } from './builder';

function withoutShard(report: ConformanceReport): ConformanceReport {
  const { shard: _shard, ...rest } = report;
  return rest;
}

function valid(report: ConformanceReport): ConformanceReport {
  const result = ConformanceReportSchema.safeParse(report);
  if (!result.success) throw new Error(`merged report is invalid: ${result.error.message}`);
  return report;
}

describe('mergeReports', () => {
  const shard = (index: number, parts: Parameters<typeof makeReport>[0]) => makeReport({ ...parts, overrides: { ...parts?.overrides, shard: { index, count: 3 } } });

  it('combines statuses, exercised counts, failures, transitions, runs and verdict', () => {
    const short = makeFailure({ counterexample: sampleTimeline().slice(0, 3), replay: 'short' });
    const long = makeFailure({ replay: 'long' });
    const a = shard(0, {
      rules: [makeRule('R-1', 'pass', { exercised: 5 }), makeRule('R-2', 'fail', { failure: long, exercised: 2 }), makeRule('R-3', 'not-exercised')],
      transitions: [
        { from: 'A', event: 'e', to: 'B', covered: 2 },
        { from: 'B', event: 'f', to: 'A', covered: 0 },
      ],
      overrides: { runs: 100, durationMs: 1000, startedAt: '2025-01-01T00:00:05.000Z' },
    });
    const b = shard(1, {
      rules: [makeRule('R-1', 'fail', { failure: long, exercised: 1 }), makeRule('R-2', 'fail', { failure: short, exercised: 3 }), makeRule('R-3', 'not-exercised')],
      transitions: [
        { from: 'A', event: 'e', to: 'B', covered: 3 },
        { from: 'B', event: 'f', to: 'A', covered: 0 },
      ],
      overrides: { runs: 150, durationMs: 3000, startedAt: '2025-01-01T00:00:01.000Z' },
    });
    const c = shard(2, {
      rules: [makeRule('R-1', 'pass', { exercised: 4 }), makeRule('R-2', 'pass', { exercised: 9 }), makeRule('R-3', 'pass', { exercised: 1 })],
      transitions: [
        { from: 'A', event: 'e', to: 'B', covered: 0 },
        { from: 'B', event: 'f', to: 'A', covered: 0 },
      ],
      overrides: { runs: 50, durationMs: 2000 },
    });
    const merged = valid(mergeReports([a, b, c]));
    expect(merged).not.toHaveProperty('shard');
    expect(merged.verdict).toBe('nonconformant');
    expect(merged.runs).toBe(300);
    expect(merged.durationMs).toBe(3000);
    expect(merged.startedAt).toBe('2025-01-01T00:00:01.000Z');
    expect(merged.rules.map((r) => [r.id, r.status, r.exercised])).toEqual([
      ['R-1', 'fail', 10],
      ['R-2', 'fail', 14],
      ['R-3', 'pass', 1],
    ]);
    expect(merged.rules[1]!.failure!.replay).toBe('short');
    expect(merged.coverage).toMatchObject({
      rulesExercised: 3,
      rulesTotal: 3,
      transitionsCovered: 1,
      transitionsTotal: 2,
      transitions: [
        { from: 'A', event: 'e', to: 'B', covered: 5 },
        { from: 'B', event: 'f', to: 'A', covered: 0 },
      ],
    });
  });

  it('recomputes the verdict: error wins, conformant when nothing failed', () => {
    const ok = shard(0, { rules: [makeRule('R-1', 'pass')] });
    const alsoOk = shard(1, { rules: [makeRule('R-1', 'not-exercised')] });
    expect(mergeReports([ok, alsoOk]).verdict).toBe('conformant');
    const broken = shard(2, { rules: [makeRule('R-1', 'not-exercised')], errors: [{ message: 'load failed' }] });
    const merged = valid(mergeReports([ok, alsoOk, broken]));
    expect(merged.verdict).toBe('error');
    expect(merged.errors).toEqual([{ message: 'load failed' }]);
  });

  it('combines incompleteness reasons', () => {
    const a = shard(0, { overrides: { incomplete: { reason: 'SIGINT' } } });
    const b = shard(1, { overrides: { incomplete: { reason: 'watchdog' } } });
    const c = shard(2, {});
    expect(mergeReports([a, b, c]).incomplete).toEqual({ reason: 'SIGINT\nwatchdog' });
    expect(mergeReports([c])).not.toHaveProperty('incomplete');
  });

  it.each([
    ['seed', { seed: 7 }, /seed 7, report 1 has seed 42/],
    ['candidate', { candidate: { path: 'other.ts', name: 'x' } }, /candidate "other\.ts"/],
    ['interface versions', { interfaceVersions: ['2.0'] as ConformanceReport['interfaceVersions'] }, /interface versions 2\.0/],
    ['tool version', { tool: { name: 'netdma-conformance' as const, version: '9.9.9' } }, /written by netdma-conformance 9\.9\.9/],
    ['shard count', { shard: { index: 1, count: 4 } }, /disagree on the shard count/],
    ['same shard twice', { shard: { index: 0, count: 3 } }, /shard 1 of 3 is given twice/],
  ])('refuses reports that are not shards of one run: %s', (_name, overrides, message) => {
    const a = shard(0, {});
    const b = makeReport({ overrides: { shard: { index: 1, count: 3 }, ...overrides } });
    expect(() => mergeReports([a, b])).toThrow(message);
    expect(() => mergeReports([a, b])).toThrow(/^cannot merge reports: /);
  });

  it('refuses an empty list and differing rule metadata', () => {
    expect(() => mergeReports([])).toThrow(/no reports given/);
    const a = shard(0, { rules: [makeRule('R-1', 'pass')] });
    const b = shard(1, { rules: [makeRule('R-1', 'pass', { level: 'SHOULD' })] });
    expect(() => mergeReports([a, b])).toThrow(/rule R-1 has a different/);
  });

  it('merging one report is the identity modulo shard', () => {
    fc.assert(
      fc.property(reportArb, (report) => {
        expect(mergeReports([report])).toStrictEqual(withoutShard(report));
      }),
      { seed: 42, numRuns: 100 },
    );
  });

  it('is commutative on shard reports', () => {
    fc.assert(
      fc.property(shardsArb(2), ([a, b]) => {
        const ab = valid(mergeReports([a!, b!]));
        expect(mergeReports([b!, a!])).toStrictEqual(ab);
      }),
      { seed: 42, numRuns: 100 },
    );
  });

  it('is associative on shard reports (and agrees with merging all at once)', () => {
    fc.assert(
      fc.property(shardsArb(3), ([a, b, c]) => {
        const all = valid(mergeReports([a!, b!, c!]));
        expect(mergeReports([mergeReports([a!, b!]), c!])).toStrictEqual(all);
        expect(mergeReports([a!, mergeReports([b!, c!])])).toStrictEqual(all);
        expect(mergeReports([c!, a!, b!])).toStrictEqual(all);
      }),
      { seed: 42, numRuns: 80 },
    );
  });
});
