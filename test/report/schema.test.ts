import * as fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { TraceEvent } from '../../src/trace/trace-event';
import { ConformanceReportSchema, parseConformanceReport, type ConformanceReport, type RuleFailure } from '../../src/report';
import { reportArb } from './arbitraries';
import { makeFailure, makeReport, makeRule } from './builder';

/** A deep copy as plain JSON data, to corrupt freely. */
function json(report: ConformanceReport): Record<string, any> {
  return JSON.parse(JSON.stringify(report)) as Record<string, any>;
}

describe('ConformanceReportSchema', () => {
  it('accepts the fixture report and keeps counterexamples typed as TraceEvent', () => {
    const report = makeReport();
    expect(parseConformanceReport(json(report))).toEqual(report);
    expectTypeOf<RuleFailure['counterexample']>().toEqualTypeOf<TraceEvent[]>();
    expectTypeOf(parseConformanceReport).returns.toEqualTypeOf<ConformanceReport>();
  });

  it('accepts every arbitrary report', () => {
    fc.assert(
      fc.property(reportArb, (report) => {
        const result = ConformanceReportSchema.safeParse(report);
        if (!result.success) throw new Error(result.error.message);
      }),
      { seed: 42, numRuns: 150 },
    );
  });

  it.each([
    ['schemaVersion', (r: any) => void (r.schemaVersion = 3), /at schemaVersion:/],
    ['tool name', (r: any) => void (r.tool.name = 'other'), /at tool\.name:/],
    ['rule status', (r: any) => void (r.rules[2].status = 'skipped'), /at rules\[2\]\.status:/],
    ['event kind', (r: any) => void (r.rules[3].failure.counterexample[4].kind = 'bogus'), /at rules\[3\]\.failure\.counterexample\[4\]\.kind:/],
    ['event seq', (r: any) => void (r.rules[3].failure.counterexample[0].seq = -1), /at rules\[3\]\.failure\.counterexample\[0\]\.seq:/],
    ['detail not JSON', (r: any) => void (r.rules[3].failure.counterexample[1].detail = { x: () => 1 }), /at rules\[3\]\.failure\.counterexample\[1\]\.detail\.x:/],
    ['interface version', (r: any) => void (r.interfaceVersions = ['3.0']), /at interfaceVersions\[0\]:/],
    ['startedAt', (r: any) => void (r.startedAt = 'yesterday'), /at startedAt:/],
    ['location line', (r: any) => void (r.rules[3].failure.location = { file: 'a.ts', line: 0, column: 1 }), /at rules\[3\]\.failure\.location\.line:/],
    ['missing candidate', (r: any) => void delete r.candidate, /at candidate:/],
  ])('names the first bad path: %s', (_name, corrupt, message) => {
    const bad = json(makeReport());
    corrupt(bad);
    expect(() => parseConformanceReport(bad)).toThrow(message);
  });

  it.each([
    ['fail without failure', (r: any) => void delete r.rules[3].failure, /at rules\[3\]\.failure: a failed rule needs a failure/],
    ['pass with failure', (r: any) => void (r.rules[0].failure = makeFailure()), /at rules\[0\]\.failure:/],
    ['duplicate rule id', (r: any) => void (r.rules[1].id = r.rules[0].id), /at rules\[1\]\.id: rule id PNP-START-001 is listed twice/],
    ['conformant with a failed rule', (r: any) => void (r.verdict = 'conformant'), /at verdict:/],
    ['error without errors', (r: any) => void (r.verdict = 'error'), /at errors:/],
    ['rulesTotal', (r: any) => void (r.coverage.rulesTotal = 99), /at coverage\.rulesTotal: is 99 but the report has 6/],
    ['transitionsCovered', (r: any) => void (r.coverage.transitionsCovered = 0), /at coverage\.transitionsCovered:/],
    ['shard index', (r: any) => void (r.shard = { index: 2, count: 2 }), /at shard\.index:/],
    ['duplicate interface version', (r: any) => void (r.interfaceVersions = ['2.0', '2.0']), /at interfaceVersions\[1\]:/],
  ])('checks consistency: %s', (_name, corrupt, message) => {
    const bad = json(makeReport());
    corrupt(bad);
    expect(() => parseConformanceReport(bad)).toThrow(message);
  });

  it('reports the root for non-objects', () => {
    expect(() => parseConformanceReport(null)).toThrow(/invalid conformance report at \(root\):/);
    expect(() => parseConformanceReport('{}')).toThrow(/at \(root\):/);
  });

  it('drops unknown keys (forward compatible within schema version 1)', () => {
    const data = { ...json(makeReport()), killMatrix: { x: 1 } };
    expect(parseConformanceReport(data)).not.toHaveProperty('killMatrix');
  });

  it('accepts an error report with an incomplete run and no rules', () => {
    const report = makeReport({
      rules: [],
      transitions: [],
      errors: [{ message: 'candidate failed to load', detail: 'SyntaxError: Unexpected token' }],
      overrides: { incomplete: { reason: 'SIGINT' } },
    });
    expect(report.verdict).toBe('error');
    expect(parseConformanceReport(json(report))).toEqual(report);
  });

  it('builder rules are consistent', () => {
    expect(makeRule('X-1', 'pass', { failure: makeFailure() })).not.toHaveProperty('failure');
  });
});
