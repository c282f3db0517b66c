import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConformanceReport, toJson } from '../../src/report';
import { reportArb } from './arbitraries';
import { makeReport } from './builder';

describe('toJson', () => {
  it('round-trips every arbitrary report through parseConformanceReport', () => {
    fc.assert(
      fc.property(reportArb, (report) => {
        const text = toJson(report);
        expect(parseConformanceReport(JSON.parse(text))).toEqual(report);
        // Writing the parsed report again gives the same bytes.
        expect(toJson(parseConformanceReport(JSON.parse(text)))).toBe(text);
      }),
      { seed: 42, numRuns: 150 },
    );
  });

  it('uses schema key order, 2-space indent and a trailing newline, whatever the input key order', () => {
    const report = makeReport();
    const shuffled = JSON.parse(JSON.stringify(report, Object.keys(report).reverse().concat(...collectKeys(report)).reverse())) as typeof report;
    const text = toJson(report);
    expect(toJson(shuffled)).toBe(text);
    expect(text.endsWith('}\n')).toBe(true);
    const top = Object.keys(JSON.parse(text) as object);
    expect(top).toEqual(['schemaVersion', 'tool', 'verdict', 'strict', 'warnings', 'candidate', 'interfaceVersions', 'seed', 'runs', 'startedAt', 'durationMs', 'environment', 'rules', 'ambiguities', 'coverage', 'errors']);
    expect(text.split('\n')[1]).toBe('  "schemaVersion": 2,');
    const rule = (JSON.parse(text) as { rules: object[] }).rules[3]!;
    expect(Object.keys(rule)).toEqual(['id', 'family', 'level', 'statement', 'status', 'sources', 'exercised', 'failure']);
  });

  it('sorts free-form detail keys and keeps a "__proto__" key as data', () => {
    const report = makeReport();
    const event = report.rules[3]!.failure!.counterexample[1]!;
    const detail = JSON.parse('{"zeta": 1, "alpha": {"b": 2, "a": 1}, "__proto__": {"x": 1}}') as Record<string, unknown>;
    const withDetail = { ...report, rules: report.rules.map((r, i) => (i === 3 ? { ...r, failure: { ...r.failure!, counterexample: [{ ...event, detail }] } } : r)) };
    const text = toJson(withDetail);
    expect(text).toMatch(/"detail": \{\n\s+"__proto__": \{\n\s+"x": 1\n\s+\},\n\s+"alpha": \{\n\s+"a": 1,\n\s+"b": 2\n\s+\},\n\s+"zeta": 1/);
  });

  it('omits undefined optional fields', () => {
    const report = { ...makeReport(), incomplete: undefined };
    expect(toJson(report)).not.toContain('incomplete');
  });
});

function collectKeys(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => collectKeys(v, into));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      into.push(k);
      collectKeys(v, into);
    }
  }
  return [...new Set(into)];
}
