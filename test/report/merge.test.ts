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
    expect(mergeReports([ok, alsoOk], { partial: true }).verdict).toBe('conformant');
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
    expect(mergeReports([c], { partial: true })).not.toHaveProperty('incomplete');
  });

  it.each([
    ['seed', { seed: 7 }, /seed 7, report 1 has seed 42/],
    ['candidate', { candidate: { path: 'other.ts', name: 'x' } }, /candidate "other\.ts"/],
    ['interface versions', { interfaceVersions: ['2.0'] as ConformanceReport['interfaceVersions'] }, /interface versions 2\.0/],
    ['tool version', { tool: { name: 'netdma-conformance' as const, version: '9.9.9' } }, /written by netdma-conformance 9\.9\.9/],
    ['shard count', { shard: { index: 1, count: 4 } }, /disagree on the shard count/],
    ['same shard twice', { shard: { index: 0, count: 3 } }, /shard 1\/3 is given twice/],
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
    expect(() => mergeReports([a, b], { partial: true })).toThrow(/rule R-1 has a different/);
  });

  it('merging one report is the identity modulo shard (a lone shard of several stays a partial merge)', () => {
    fc.assert(
      fc.property(reportArb, (report) => {
        const expected = report.shard !== undefined && report.shard.count > 1 ? { ...withoutShard(report), shards: { count: report.shard.count, indices: [report.shard.index] } } : withoutShard(report);
        expect(mergeReports([report], { partial: true })).toStrictEqual(expected);
        if (report.shard === undefined || report.shard.count === 1) expect(mergeReports([report])).toStrictEqual(withoutShard(report));
        else expect(() => mergeReports([report])).toThrow(/missing/);
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
        const ab = valid(mergeReports([a!, b!], { partial: true }));
        expect(ab.shards).toEqual({ count: 3, indices: [0, 1] });
        expect(mergeReports([ab, c!])).toStrictEqual(all);
        expect(mergeReports([a!, mergeReports([b!, c!], { partial: true })])).toStrictEqual(all);
        expect(mergeReports([c!, a!, b!])).toStrictEqual(all);
      }),
      { seed: 42, numRuns: 80 },
    );
  });

  describe('never fakes a pass: refuses what is not exactly the shards of one run', () => {
    const two = (index: number, overrides: Partial<ConformanceReport> = {}) => makeReport({ rules: [makeRule('R-1', 'pass')], overrides: { shard: { index, count: 2 }, ...overrides } });

    it('an incomplete shard set, naming what is missing', () => {
      expect(() => mergeReports([two(0)])).toThrow(/^cannot merge reports: shard 2\/2 missing/);
      expect(() => mergeReports([two(1)])).toThrow(/shard 1\/2 missing/);
      const three = (i: number) => makeReport({ overrides: { shard: { index: i, count: 3 } } });
      expect(() => mergeReports([three(1)])).toThrow(/shard 1\/3, shard 3\/3 missing/);
      expect(valid(mergeReports([two(0), two(1)])).verdict).toBe('conformant');
    });

    it('a shard given twice, also through a partial merge', () => {
      expect(() => mergeReports([two(0), two(0), two(1)])).toThrow(/shard 1\/2 is given twice/);
      expect(() => mergeReports([mergeReports([two(0)], { partial: true }), two(0), two(1)])).toThrow(/shard 1\/2 is given twice/);
    });

    it('a sharded run mixed with an unsharded one, and two unsharded runs', () => {
      const whole = makeReport({ rules: [makeRule('R-1', 'pass')] });
      expect(() => mergeReports([two(0), whole])).toThrow(/report 2 is an unsharded run and report 1 is shard 1\/2/);
      expect(() => mergeReports([whole, two(0), two(1)])).toThrow(/not mixed with an unsharded run/);
      expect(() => mergeReports([whole, whole])).toThrow(/all unsharded runs/);
      expect(mergeReports([whole])).toStrictEqual(whole);
    });

    it.each([
      ['seed', { seed: 8 }, /seed 8, report 1 has seed 42/],
      ['candidate source hash', { candidate: { path: 'candidates/ioat.ts', name: 'ioat', hash: `sha256:${'b'.repeat(64)}` } }, /checked candidate source sha256:b+, report 1 checked sha256:a+: the candidate changed/],
      ['runs asked for', { options: { runs: 500, properties: ['datapath', 'lifecycle'], failFast: false } }, /ran with --runs 500, properties datapath,lifecycle, report 1 with --runs 1000/],
      ['--fail-fast', { options: { runs: 1000, properties: ['datapath', 'lifecycle'], failFast: true } }, /--fail-fast, report 1 with --runs 1000, properties datapath,lifecycle:/],
      ['properties', { options: { runs: 1000, properties: ['lifecycle'], failFast: false } }, /properties lifecycle, report 1/],
      ['--should-warn', { strict: false }, /must agree on --should-warn/],
    ])('shards that differ in %s', (_what, overrides, message) => {
      const ident = { candidate: { path: 'candidates/ioat.ts', name: 'ioat', hash: `sha256:${'a'.repeat(64)}` }, options: { runs: 1000, properties: ['datapath', 'lifecycle'], failFast: false }, strict: true };
      const a = two(0, ident);
      const b = two(1, { ...ident, ...overrides });
      expect(() => mergeReports([a, b])).toThrow(message);
      expect(valid(mergeReports([a, two(1, ident)])).candidate.hash).toBe(ident.candidate.hash);
    });

    it('a replay, which is one run of one case and no shard', () => {
      const replay = makeReport({ rules: [makeRule('R-1', 'pass')], overrides: { replay: { token: 'ndc2.x', rule: 'R-1', reproduced: false } } });
      expect(() => mergeReports([replay])).toThrow(/report 1 is a replay of one counterexample/);
    });
  });
});
