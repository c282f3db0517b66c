/**
 * Levels and waivers in the reports: every format says, for each failure, what it breaks (the
 * documentation, quoted, or the suite's reading, naming the decision); a waived failure is shown as
 * waived with its reason in every format, never as a pass; the verdict and exit code follow the
 * waiver law; merge keeps waivers and refuses shards with different ones.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { failureBlocks } from '../../src/cli/console';
import { ruleBinding } from '../../src/runner/build-report';
import { RULES, ruleById } from '../../spec';
import {
  ConformanceReportSchema,
  WaiverFileError,
  applyWaivers,
  decideVerdict,
  mergeReports,
  parseConformanceReport,
  parseWaiverFile,
  toHtml,
  toJson,
  toJunit,
  toMarkdown,
  toSarif,
  waiverFileHash,
  type ConformanceReport,
  type RuleResult,
} from '../../src/report';
import { bindingLine } from '../../src/report/common';
import { shardsArb } from './arbitraries';
import { finalize, makeReport, makeRule } from './builder';

/** A rule result of the real catalog, with its binding, as a run reports it. */
function catalogRule(id: Parameters<typeof ruleById>[0], status: RuleResult['status']): RuleResult {
  const rule = ruleById(id);
  return makeRule(id, status, { level: rule.level, family: rule.family, statement: rule.statement, binding: ruleBinding(rule) });
}

function waive(report: ConformanceReport, entries: { rule: string; reason: string; expires?: string }[], day = '2026-12-06'): ConformanceReport {
  const set = { file: 'drivers/netdma-conformance.json', sha256: waiverFileHash(JSON.stringify(entries)), entries };
  const { rules, waivers } = applyWaivers(report.rules, set, day);
  return finalize({ ...report, rules, ...(waivers ? { waivers } : {}) });
}

describe('the waiver file', () => {
  const ok = '{ "waivers": [ { "rule": "PNP-START-12", "reason": "our engine reports 48-bit addressing", "expires": "2027-06-30" } ] }';

  it('reads a valid file, hashing its bytes', () => {
    const set = parseWaiverFile(ok, 'netdma-conformance.json');
    expect(set.entries).toEqual([{ rule: 'PNP-START-12', reason: 'our engine reports 48-bit addressing', expires: '2027-06-30' }]);
    expect(set.sha256).toBe(waiverFileHash(ok));
    expect(set.sha256).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it.each([
    ['{ "waivers": [', /x\.json: not valid JSON/],
    ['[]', /x\.json: \(root\): /],
    ['{ "waivers": [], "extra": 1 }', /x\.json: \(root\): unknown field\(s\) "extra"/],
    ['{ "waivers": [ { "rule": "PNP-START-12", "reason": "  " } ] }', /x\.json: waivers\[0\] \(PNP-START-12\) reason: reason is empty/],
    ['{ "waivers": [ { "rule": "PNP-START-12" } ] }', /x\.json: waivers\[0\] \(PNP-START-12\) reason: /],
    ['{ "waivers": [ { "rule": "PNP-START-12", "reason": "r", "expires": "2027-02-30" } ] }', /waivers\[0\] \(PNP-START-12\) expires: expires is not a calendar day/],
    ['{ "waivers": [ { "rule": "PNP-START-12", "reason": "r", "expires": "30.06.2027" } ] }', /expires is a date written YYYY-MM-DD/],
    ['{ "waivers": [ { "rule": "PNP-START-12", "reason": "r", "owner": "me" } ] }', /waivers\[0\] \(PNP-START-12\): unknown field\(s\) "owner"/],
    ['{ "waivers": [ { "rule": "PNP-START-99", "reason": "r" } ] }', /waivers\[0\] \(PNP-START-99\): unknown rule id PNP-START-99/],
    ['{ "waivers": [ { "rule": "IRP-07", "reason": "a" }, { "rule": "IRP-07", "reason": "b" } ] }', /waivers\[1\] \(IRP-07\): IRP-07 is waived twice \(also waivers\[0\]\)/],
  ])('refuses %s, naming file, entry and problem', (text, message) => {
    expect(() => parseWaiverFile(text, 'x.json')).toThrow(WaiverFileError);
    expect(() => parseWaiverFile(text, 'x.json')).toThrow(message);
  });
});

describe('the waiver law (any failures × any waiver set)', () => {
  const ids = RULES.slice(0, 12).map((r) => r.id);
  const day = '2026-12-06';
  const entryArb = fc.record({
    rule: fc.constantFrom(...ids),
    reason: fc.constantFrom('erratum 4711', 'a reading we dispute', '<b>html</b> & "quotes"'),
    expires: fc.option(fc.constantFrom('2026-12-05', '2026-12-06', '2027-01-01'), { nil: undefined }),
  });

  it('a waived failure is never a pass; the verdict is conformant (exit 0) exactly when every failing rule is waived and unexpired', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('pass', 'fail', 'not-exercised' as const), { minLength: ids.length, maxLength: ids.length }),
        fc.uniqueArray(entryArb, { selector: (e) => e.rule, maxLength: 6 }),
        fc.boolean(),
        (statuses, entries, strict) => {
          const rules = ids.map((id, i) => catalogRule(id as never, statuses[i]!));
          const base = makeReport({ rules, overrides: { strict } });
          const report = waive(base, entries.map(({ expires, ...e }) => ({ ...e, ...(expires !== undefined ? { expires } : {}) })), day);
          expect(ConformanceReportSchema.safeParse(report).success).toBe(true);
          const active = new Set<string>(entries.filter((e) => e.expires === undefined || e.expires >= day).map((e) => e.rule));
          report.rules.forEach((r, i) => {
            const was = statuses[i]!;
            expect(r.status).toBe(was === 'fail' && active.has(r.id) ? 'waived' : was);
            if (r.status === 'waived') {
              expect(r.failure).toBeDefined();
              expect(r.waiver!.reason).toBe(entries.find((e) => e.rule === r.id)!.reason);
            }
          });
          const blocking = report.rules.filter((r) => r.status === 'fail' && (r.level !== 'SHOULD' || strict));
          expect(report.verdict).toBe(blocking.length === 0 ? 'conformant' : 'nonconformant');
          const exitCode = report.verdict === 'conformant' ? 0 : 1;
          expect(exitCode).toBe(blocking.length === 0 ? 0 : 1);
          for (const e of report.waivers!.entries) {
            const r = report.rules.find((x) => x.id === e.rule)!;
            expect(e.state).toBe(!active.has(e.rule) ? 'expired' : r.status === 'waived' ? 'applied' : 'unused');
          }
          expect(decideVerdict(report.rules, 0, strict)).toBe(report.verdict);
        },
      ),
      { seed: 12, numRuns: 300 },
    );
  });

  it('the schema refuses a waived rule without its waiver, a waiver marked applied to a passing rule, or a waived rule with no applied waiver in the file', () => {
    const report = waive(makeReport({ rules: [catalogRule('PNP-REM-02', 'fail'), catalogRule('IRP-07', 'pass')] }), [{ rule: 'PNP-REM-02', reason: 'r' }]);
    const json = JSON.parse(toJson(report)) as ConformanceReport;
    expect(parseConformanceReport(json).rules[0]!.status).toBe('waived');
    const { waiver: _w, ...bare } = json.rules[0]!;
    expect(() => parseConformanceReport({ ...json, rules: [bare, json.rules[1]] })).toThrow(/waived rule needs its waiver/);
    expect(() => parseConformanceReport({ ...json, waivers: { ...json.waivers!, entries: [{ rule: 'IRP-07', reason: 'r', state: 'applied' }] } })).toThrow(/no applied waiver|is applied, but that rule is not waived/);
    expect(() => parseConformanceReport({ ...json, rules: [{ ...json.rules[0]!, status: 'pass' }, json.rules[1]] })).toThrow();
  });
});

describe('every format says what a failure breaks, and shows waived failures as waived', () => {
  const report = waive(
    makeReport({ rules: [catalogRule('PNP-REM-02', 'fail'), catalogRule('PNP-START-12', 'fail'), catalogRule('NDMA-CHAN-02', 'fail'), catalogRule('IRP-07', 'pass')] }),
    [
      { rule: 'PNP-START-12', reason: 'Our engine decodes 48 address bits; erratum NDC-7' },
      { rule: 'DRV-ADD-02', reason: 'never fails' },
    ],
  );
  const must = bindingLine(report.rules[0]!);
  const reading = bindingLine(report.rules[1]!);
  const ambiguity = bindingLine(report.rules[2]!);

  it('binding lines: the documentation with page and quote, or the suite\'s reading with the decision', () => {
    expect(must).toBe(`MUST — the documentation, conceptual/stopping-a-netdma-provider.md: "${ruleById('PNP-REM-02').quote!.text}"`);
    expect(reading).toMatch(/^DERIVED — the suite's reading, The attributes page describes MaximumAddressSpace/);
    expect(ambiguity).toBe(`DERIVED — the suite's reading, A14: ${ambiguity.split('A14: ')[1]}`);
    expect(ambiguity).toMatch(/A14: ProcessorAffinityMask is 32 bits wide/);
    expect(report.verdict).toBe('nonconformant');
    expect(report.waivers!.entries.map((e) => e.state)).toEqual(['applied', 'unused']);
  });

  it('console', () => {
    const text = failureBlocks(report).join('\n');
    expect(text).toContain(`FAIL PNP-REM-02 (MUST): `);
    expect(text).toContain(`  [${must}]`);
    expect(text).toContain(`  [${ambiguity}]`);
    expect(text).toContain('WAIVED PNP-START-12 (DERIVED): ');
    expect(text).toContain('  waived: Our engine decodes 48 address bits; erratum NDC-7');
  });

  it('JSON', () => {
    const r = parseConformanceReport(JSON.parse(toJson(report)));
    expect(r.rules[0]!.binding).toEqual({ kind: 'documentation', doc: 'conceptual/stopping-a-netdma-provider.md', quote: ruleById('PNP-REM-02').quote!.text });
    expect(r.rules[2]!.binding).toMatchObject({ kind: 'reading', ambiguities: [{ id: 'A14' }] });
    expect(r.rules[1]).toMatchObject({ status: 'waived', waiver: { reason: 'Our engine decodes 48 address bits; erratum NDC-7' } });
    expect(r.rules[1]!.failure).toBeDefined();
    expect(r.waivers).toMatchObject({ file: 'drivers/netdma-conformance.json', sha256: expect.stringMatching(/^sha256:/) });
  });

  it('JUnit', () => {
    const xml = toJunit(report);
    expect(xml).toContain(`Breaks: documentation [${must}]`);
    expect(xml).toContain("Breaks: the suite's reading [DERIVED — the suite's reading, A14: ProcessorAffinityMask is 32 bits wide]");
    expect(xml).toContain('<skipped message="waived: Our engine decodes 48 address bits; erratum NDC-7"/>');
    expect(xml).toContain('WAIVED: rule PNP-START-12 failed and is waived by drivers/netdma-conformance.json');
  });

  it('Markdown', () => {
    const md = toMarkdown(report);
    expect(md).toContain('- Breaks documentation: MUST — the documentation, conceptual/stopping-a-netdma-provider.md');
    expect(md).toContain("- Breaks the suite's reading: DERIVED — the suite's reading, A14: ProcessorAffinityMask is 32 bits wide");
    expect(md).toContain('### Waivers (2)');
    expect(md).toContain('| PNP-START-12 | applied | Our engine decodes 48 address bits; erratum NDC-7 | — |');
    expect(md).toContain('| DRV-ADD-02 | unused | never fails | — |');
    expect(md).toContain('#### PNP-START-12 (DERIVED, start, waived)');
  });

  it('HTML', () => {
    const html = toHtml(report);
    expect(html).toContain('data-breaks="documentation"><strong>Breaks documentation:</strong> MUST — the documentation, conceptual/stopping-a-netdma-provider.md');
    expect(html).toContain('data-breaks="reading"><strong>Breaks the suite&#39;s reading:</strong>');
    expect(html).toContain('data-failure-for="PNP-START-12" data-waived="true"');
    expect(html).toContain('<strong>Waived</strong>: Our engine decodes 48 address bits; erratum NDC-7');
  });

  it('SARIF: level and binding in the property bag, a waived failure suppressed with its reason, fingerprints unchanged by waiving', () => {
    const log = JSON.parse(toSarif(report));
    const results = log.runs[0].results as { ruleId: string; level: string; properties: Record<string, unknown>; suppressions?: { justification: string; kind: string }[]; partialFingerprints: Record<string, string> }[];
    expect(results.map((r) => r.ruleId)).toEqual(['PNP-REM-02', 'PNP-START-12', 'NDMA-CHAN-02']);
    expect(results[0]!.properties).toMatchObject({ level: 'MUST', breaks: 'documentation', binding: { kind: 'documentation' } });
    expect(results[2]!.properties).toMatchObject({ level: 'DERIVED', breaks: 'reading', binding: { kind: 'reading' } });
    expect(results[1]!.suppressions).toEqual([expect.objectContaining({ kind: 'external', status: 'accepted', justification: 'Our engine decodes 48 address bits; erratum NDC-7' })]);
    expect(results[0]!.suppressions).toBeUndefined();
    const unwaived = JSON.parse(toSarif(finalize({ ...report, rules: report.rules.map((r) => (r.status === 'waived' ? (({ waiver: _w, ...x }) => ({ ...x, status: 'fail' as const }))(r) : r)), waivers: undefined as never }))) as typeof log;
    expect(unwaived.runs[0].results.map((r: { partialFingerprints: unknown }) => r.partialFingerprints)).toEqual(results.map((r) => r.partialFingerprints));
  });
});

describe('merge keeps waivers', () => {
  it('round trip: shards with one waiver file merge into a report with that file, waived rules re-derived from the merged failures', () => {
    fc.assert(
      fc.property(shardsArb(3), (shards) => {
        const merged = mergeReports(shards);
        expect(ConformanceReportSchema.safeParse(merged).success).toBe(true);
        expect(merged.waivers?.sha256).toBe(shards[0]!.waivers?.sha256);
        const waivedAnywhere = new Set(shards.flatMap((s) => s.rules.filter((r) => r.status === 'fail' || r.status === 'waived').map((r) => r.id)));
        for (const r of merged.rules) {
          const entry = merged.waivers?.entries.find((e) => e.rule === r.id);
          if (waivedAnywhere.has(r.id)) expect(r.status).toBe(entry !== undefined ? 'waived' : 'fail');
          else expect(r.status).not.toBe('waived');
        }
        // Merging in any order gives the same waivers.
        expect(mergeReports([...shards].reverse()).waivers).toEqual(merged.waivers);
      }),
      { seed: 5, numRuns: 100 },
    );
  });

  it('refuses shards that carry different waiver files, or a file and none', () => {
    const a = waive(makeReport({ rules: [catalogRule('PNP-REM-02', 'fail')], overrides: { shard: { index: 0, count: 2 } } }), [{ rule: 'PNP-REM-02', reason: 'a' }]);
    const b = waive(makeReport({ rules: [catalogRule('PNP-REM-02', 'pass')], overrides: { shard: { index: 1, count: 2 } } }), [{ rule: 'PNP-REM-02', reason: 'b' }]);
    expect(() => mergeReports([a, b])).toThrow(/report 2 used waiver file drivers\/netdma-conformance\.json \(sha256:[0-9a-f]+\), report 1 used waiver file .*: shards of one run must carry the same waivers/);
    const { waivers: _w, ...none } = b;
    expect(() => mergeReports([a, finalize(none)])).toThrow(/report 2 used no waiver file/);
    const same = waive(makeReport({ rules: [catalogRule('PNP-REM-02', 'pass')], overrides: { shard: { index: 1, count: 2 } } }), [{ rule: 'PNP-REM-02', reason: 'a' }]);
    const merged = mergeReports([a, same]);
    expect(merged.rules[0]).toMatchObject({ status: 'waived', waiver: { reason: 'a' } });
    expect(merged.verdict).toBe('conformant');
  });
});
