import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { consoleEventLine, errorLines, failureBlock, failureBlocks } from '../../src/cli/console';
import { failedRules, waivedRules } from '../../src/report/common';
import { reportArb } from '../report/arbitraries';
import { makeFailure, makeReport, makeRule } from '../report/builder';

describe('console failure blocks', () => {
  it('shows the failure the report chose, with its location, steps, last events decoded and replay', () => {
    const f = makeFailure({
      location: { file: 'drivers/ioat.ts', line: 187, column: 9 },
      counterexample: [
        { seq: 0, kind: 'handler', text: 'DriverEntry' },
        { seq: 1, kind: 'register', text: 'WRITE_REGISTER(PDO#1+0x184, 8, 0x1)' },
        { seq: 2, kind: 'violation', text: 'PNP-REM-02: deregistered while started' },
      ],
    });
    const lines = failureBlock({ id: 'PNP-REM-02', level: 'MUST' }, f, false, { found: new Map([['PNP-REM-02', 5]]) });
    expect(lines[0]).toBe(`FAIL PNP-REM-02 (MUST): ${f.message}`);
    // Without the rule's binding (an older report) the line names only the level.
    expect(lines[1]).toBe('  [MUST]');
    expect(lines[2]).toBe('  at drivers/ioat.ts:187:9');
    expect(lines[3]).toBe(`  ${f.property} on NetDMA 2.0, 4 steps (the shortest of 5 counterexamples found; 4 more not shown):`);
    expect(lines).toContain('      1 register  WRITE_REGISTER_UCHAR(CH2.CHANCMD @0x184, 0x01 START)');
    expect(lines).toContain('  last 3 events:');
    expect(lines.at(-1)).toBe(`  replay: ${f.replayCommand}`);
  });

  it('says nothing about others when it is the only counterexample, and no location when the report has none', () => {
    const lines = failureBlock({ id: 'X-1', level: 'SHOULD' }, makeFailure(), true);
    expect(lines[0]).toMatch(/^WARN X-1 \(SHOULD\): /);
    expect(lines.join('\n')).not.toMatch(/more not shown|^ {2}at /m);
    expect(lines).toContain('  last 8 of 11 events:');
  });

  it('for any report: one block per failed rule, verdict failures before warnings, each with its own replay, at most steps + events + 5 lines', () => {
    fc.assert(
      fc.property(reportArb, (r) => {
        const failed = [...failedRules(r), ...waivedRules(r)];
        const out = failureBlocks(r, { events: 6 });
        const heads = out.filter((l) => /^(FAIL|WARN|WAIVED) /.test(l));
        expect(heads.length).toBe(failed.length);
        // Verdict failures, then warnings, then waived failures.
        const rank = (l: string) => (l.startsWith('FAIL') ? 0 : l.startsWith('WARN') ? 1 : 2);
        expect(heads.map(rank)).toEqual(heads.map(rank).sort());
        for (const { failure } of failed) expect(out).toContain(`  replay: ${failure.replayCommand}`);
        // Each block: head, binding, (waiver), location, property line, steps, events header, events, replay.
        const budget = failed.reduce((n, x) => n + x.failure.steps.length + Math.min(6, x.failure.counterexample.length) + 6 + (x.rule.status === 'waived' ? 1 : 0), 0) + Math.max(0, failed.length - 1);
        expect(out.length).toBeLessThanOrEqual(budget);
      }),
      { numRuns: 60 },
    );
  });

  it('prints nothing for a report without failures', () => {
    expect(failureBlocks(makeReport({ rules: [makeRule('A-1', 'pass'), makeRule('A-2', 'not-exercised')] }))).toEqual([]);
  });

  it('event lines keep non-register text as it is', () => {
    expect(consoleEventLine({ seq: 57, kind: 'call', text: 'NetDmaDeregisterProvider' })).toBe('   57 call      NetDmaDeregisterProvider');
  });

  it('harness errors: one line each, with the first line of the detail', () => {
    expect(errorLines({ errors: [{ message: 'the harness failed while checking work unit 3', detail: '\nTypeError: x is undefined\n    at f (a.ts:1:1)' }, { message: 'no detail' }] })).toEqual([
      'ERROR the harness failed while checking work unit 3: TypeError: x is undefined',
      'ERROR no detail',
    ]);
  });
});
