import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConformanceReportSchema, mergeReports, parseConformanceReport, type ConformanceReport } from '../../src/report';
import { reportArb, shardsArb } from './arbitraries';
import { makeReport, makeRule } from './builder';

/** The documented policy, written out independently of the code under test. */
function expected(report: ConformanceReport): { verdict: string; warnings: string[] } {
  const failed = report.rules.filter((r) => r.status === 'fail');
  const should = failed.filter((r) => r.level === 'SHOULD').map((r) => r.id);
  const hard = failed.filter((r) => r.level === 'MUST' || r.level === 'DERIVED').length + (report.strict ? should.length : 0);
  return {
    verdict: report.errors.length > 0 ? 'error' : hard > 0 ? 'nonconformant' : 'conformant',
    warnings: report.strict ? [] : should,
  };
}

const json = (r: ConformanceReport) => JSON.parse(JSON.stringify(r)) as Record<string, unknown>;

describe('verdict policy: failed SHOULD rules are warnings unless strict', () => {
  it('for arbitrary reports and shard merges: verdict and warnings follow the documented policy', () => {
    fc.assert(
      fc.property(reportArb, (report) => {
        expect({ verdict: report.verdict, warnings: report.warnings }).toEqual(expected(report));
        expect(ConformanceReportSchema.safeParse(report).success).toBe(true);
      }),
      { seed: 7, numRuns: 200 },
    );
    fc.assert(
      fc.property(shardsArb(3), (shards) => {
        const merged = mergeReports(shards);
        expect(merged.strict).toBe(shards[0]!.strict);
        expect({ verdict: merged.verdict, warnings: merged.warnings }).toEqual(expected(merged));
        expect(ConformanceReportSchema.safeParse(merged).success).toBe(true);
      }),
      { seed: 7, numRuns: 100 },
    );
  });

  const should = () => [makeRule('PNP-START-001', 'pass'), makeRule('NDMA-CHAN-05', 'fail', { level: 'SHOULD' })];

  it('a SHOULD-only failure: conformant with a warning; strict: nonconformant', () => {
    expect(makeReport({ rules: should() })).toMatchObject({ verdict: 'conformant', strict: false, warnings: ['NDMA-CHAN-05'] });
    expect(makeReport({ rules: should(), overrides: { strict: true } })).toMatchObject({ verdict: 'nonconformant', strict: true, warnings: [] });
    const derived = makeReport({ rules: [makeRule('X-01', 'fail', { level: 'DERIVED' })] });
    expect(derived.verdict).toBe('nonconformant');
  });

  it('the schema rejects a verdict or warnings that disagree with the policy', () => {
    const bad = json(makeReport({ rules: should() }));
    expect(() => parseConformanceReport({ ...bad, verdict: 'nonconformant' })).toThrow(/at verdict: verdict 'nonconformant' but no rule failed that fails the verdict/);
    expect(() => parseConformanceReport({ ...bad, warnings: [] })).toThrow(/at warnings:/);
    expect(() => parseConformanceReport({ ...bad, strict: true })).toThrow(/at verdict: verdict 'conformant' but 1 rule\(s\) failed/);
    const must = json(makeReport({ rules: [makeRule('X-01', 'fail')] }));
    expect(() => parseConformanceReport({ ...must, verdict: 'conformant' })).toThrow(/at verdict:/);
  });

  it('reads schema version 1 reports (no strict, no warnings: every failure failed the verdict); merge refuses them', () => {
    const { strict: _s, warnings: _w, ...v2 } = json(makeReport({ rules: should(), overrides: { strict: true } }));
    const v1 = { ...v2, schemaVersion: 1 };
    const read = parseConformanceReport(v1);
    expect(read).toMatchObject({ schemaVersion: 1, verdict: 'nonconformant', strict: false, warnings: [] });
    expect(() => parseConformanceReport({ ...v1, verdict: 'conformant' })).toThrow(/at verdict:/);
    expect(() => mergeReports([read])).toThrow(/schema version 1, expected 2 \(written by an older netdma-conformance/);
  });

  it('merge refuses mixing strict and non-strict shards', () => {
    const a = makeReport({ rules: should(), overrides: { shard: { index: 0, count: 2 } } });
    const b = makeReport({ rules: should(), overrides: { shard: { index: 1, count: 2 }, strict: true } });
    expect(() => mergeReports([a, b])).toThrow(/report 2 was not run with --should-warn, report 1 was: shards of one run must agree on --should-warn/);
    expect(mergeReports([a, { ...b, strict: false, verdict: 'conformant', warnings: ['NDMA-CHAN-05'] }])).toMatchObject({ verdict: 'conformant', warnings: ['NDMA-CHAN-05'] });
  });
});
