import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toJunit, type ConformanceReport } from '../../src/report';
import { reportArb } from './arbitraries';
import { makeReport, makeRule } from './builder';
import { descendants, parseXml } from './xml';

/** What an XML parser gives back for a string written by the JUnit writer. */
function xmlRoundTrip(s: string): string {
  return Buffer.from(s, 'utf8')
    .toString('utf8')
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function ruleCases(report: ConformanceReport) {
  const root = parseXml(toJunit(report));
  return { root, cases: descendants(root, 'testcase').filter((c) => c.attributes.classname!.startsWith('netdma.')) };
}

describe('toJunit', () => {
  it('writes one suite per family and one testcase per rule', () => {
    const report = makeReport();
    const { root, cases } = ruleCases(report);
    expect(root.name).toBe('testsuites');
    expect(root.attributes).toMatchObject({ tests: '6', failures: '1', skipped: '1', errors: '0', time: '12.345' });
    const suites = descendants(root, 'testsuite');
    expect(suites.map((s) => [s.attributes.name, s.attributes.tests, s.attributes.failures, s.attributes.skipped])).toEqual([
      ['pnp', '3', '0', '1'],
      ['channel', '2', '1', '0'],
      ['dma', '1', '0', '0'],
    ]);
    expect(cases.map((c) => c.attributes.name)).toEqual(report.rules.map((r) => `${r.id} ${r.statement}`));
    expect(cases.map((c) => c.attributes.classname)).toEqual(report.rules.map((r) => `netdma.${r.family}`));
  });

  it('puts message, shrunk steps, timeline and replay command in the failure', () => {
    const { cases } = ruleCases(makeReport());
    const failed = cases.find((c) => c.attributes.name!.startsWith('CHANNEL-APPEND-001 '))!;
    const failure = failed.children.find((c) => c.name === 'failure')!;
    expect(failure.attributes.type).toBe('RuleViolation');
    expect(failure.attributes.message).toBe('ProviderAppendDma returned before the descriptor chain was linked');
    expect(failure.text).toContain('3. AppendDma(channel 0, 2 descriptors)');
    expect(failure.text).toContain('#2 [irp] CPU0 PASSIVE_LEVEL IoCallDriver(FDO#1 -> PDO#1, IRP_MN_START_DEVICE)');
    expect(failure.text).toContain('#5 [interrupt] CPU1 DIRQL(5) MSI vector 0x41 raised');
    expect(failure.text).toContain('npx netdma-conformance check candidates/ioat.ts --replay "seed=42:path=3:1:0"');
    const skipped = cases.find((c) => c.attributes.name!.startsWith('PNP-REMOVE-003 '))!;
    expect(skipped.children.map((c) => [c.name, c.attributes.message])).toEqual([['skipped', 'not exercised']]);
    const passed = cases.find((c) => c.attributes.name!.startsWith('PNP-START-001 '))!;
    expect(passed.children).toEqual([]);
  });

  it('escapes markup and keeps newlines/tabs in attributes; control characters become visible', () => {
    const nasty = 'a<b>&"c"\'d\'\n\te\u0001f\u001b]]>';
    const report = makeReport({ rules: [makeRule('X-1', 'pass', { statement: nasty })] });
    const xml = toJunit(report);
    expect(xml).not.toContain('\u0001');
    const { cases } = ruleCases(report);
    expect(cases[0]!.attributes.name).toBe(`X-1 a<b>&"c"'d'\n\te\\u0001f\\u001b]]>`);
  });

  it('reports harness errors as <error> testcases and an incomplete run as a property', () => {
    const report = makeReport({
      errors: [{ message: 'candidate failed to load: <oops>', detail: 'Error: boom\n    at load (x.ts:1:1)' }],
      overrides: { incomplete: { reason: 'watchdog: 600 s' } },
    });
    const root = parseXml(toJunit(report));
    expect(root.attributes.errors).toBe('1');
    const harness = descendants(root, 'testsuite').find((s) => s.attributes.name === 'harness')!;
    const err = descendants(harness, 'error')[0]!;
    expect(err.attributes).toMatchObject({ type: 'HarnessError', message: 'candidate failed to load: <oops>' });
    expect(err.text).toContain('at load (x.ts:1:1)');
    const props = Object.fromEntries(descendants(root, 'property').map((p) => [p.attributes.name, p.attributes.value]));
    expect(props).toMatchObject({ verdict: 'error', incomplete: 'watchdog: 600 s', seed: '42' });
  });

  it('for arbitrary reports: parses as XML 1.0, one testcase per rule, counts and texts preserved', () => {
    fc.assert(
      fc.property(reportArb, (report) => {
        const { root, cases } = ruleCases(report);
        expect(cases).toHaveLength(report.rules.length);
        const families = [...new Set(report.rules.map((r) => r.family))];
        const inSuiteOrder = families.flatMap((f) => report.rules.filter((r) => r.family === f));
        expect(cases.map((c) => c.attributes.name)).toEqual(inSuiteOrder.map((r) => xmlRoundTrip(`${r.id} ${r.statement}`)));
        expect(cases.map((c) => c.attributes.classname)).toEqual(inSuiteOrder.map((r) => xmlRoundTrip(`netdma.${r.family}`)));
        const failures = descendants(root, 'failure');
        // A failed SHOULD rule of a non-strict run is a warning: a passing testcase with <system-out>.
        const blocking = report.rules.filter((r) => r.status === 'fail' && (r.level !== 'SHOULD' || report.strict));
        expect(failures).toHaveLength(blocking.length);
        expect(root.attributes.failures).toBe(String(blocking.length));
        expect(descendants(root, 'system-out').filter((o) => o.text.startsWith('WARNING'))).toHaveLength(report.warnings.length);
        // Not exercised and waived rules are skipped testcases (a waived one says so, with the reason): never passes.
        expect(descendants(root, 'skipped')).toHaveLength(report.rules.filter((r) => r.status === 'not-exercised' || r.status === 'waived').length);
        expect(descendants(root, 'skipped').filter((x) => x.attributes.message!.startsWith('waived: '))).toHaveLength(report.rules.filter((r) => r.status === 'waived').length);
        expect(descendants(root, 'error')).toHaveLength(report.errors.length);
        const suites = descendants(root, 'testsuite').filter((s) => s.children.some((c) => c.name === 'testcase' && c.attributes.classname!.startsWith('netdma.')));
        expect(suites.map((s) => s.attributes.name)).toEqual([...new Set(report.rules.map((r) => xmlRoundTrip(r.family)))]);
      }),
      { seed: 42, numRuns: 150 },
    );
  });
});

describe('toJunit and SHOULD rules', () => {
  const rules = () => [makeRule('PNP-START-001', 'pass'), makeRule('NDMA-CHAN-05', 'fail', { level: 'SHOULD' })];

  it('writes a failed SHOULD rule of a non-strict run as a passing testcase with the warning in <system-out>', () => {
    const report = makeReport({ rules: rules() });
    expect(report.verdict).toBe('conformant');
    const { root, cases } = ruleCases(report);
    expect(root.attributes).toMatchObject({ failures: '0', errors: '0' });
    expect(descendants(root, 'failure')).toEqual([]);
    const warned = cases.find((c) => c.attributes.name!.startsWith('NDMA-CHAN-05 '))!;
    expect(warned.children.map((c) => c.name)).toEqual(['system-out']);
    expect(warned.children[0]!.text).toMatch(/^WARNING: SHOULD rule NDMA-CHAN-05 failed/);
    expect(warned.children[0]!.text).toContain('--replay "seed=42:path=3:1:0"');
    const props = Object.fromEntries(descendants(root, 'property').map((p) => [p.attributes.name, p.attributes.value]));
    expect(props).toMatchObject({ verdict: 'conformant', strict: 'false', warnings: 'NDMA-CHAN-05' });
  });

  it('writes it as a <failure> in a strict run', () => {
    const report = makeReport({ rules: rules(), overrides: { strict: true } });
    expect(report.verdict).toBe('nonconformant');
    const { root } = ruleCases(report);
    expect(root.attributes.failures).toBe('1');
    expect(descendants(root, 'failure').map((f) => f.attributes.type)).toEqual(['RuleViolation']);
    expect(descendants(root, 'system-out')).toEqual([]);
  });
});

describe('parseXml (the checker used above)', () => {
  it('rejects characters XML 1.0 does not allow and unescaped markup', () => {
    expect(() => parseXml('<a>\u0001</a>')).toThrow();
    expect(() => parseXml('<a b="\u001b"/>')).toThrow();
    expect(() => parseXml('<a>x < y</a>')).toThrow();
    expect(() => parseXml('<a>&nbsp;</a>')).toThrow();
    expect(parseXml('<a>&#13;&amp;</a>').text).toBe('\r&');
  });
});
