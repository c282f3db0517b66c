import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toMarkdown } from '../../src/report';
import { mdText } from '../../src/report/markdown';
import { reportArb } from './arbitraries';
import { makeReport, makeRule } from './builder';

describe('toMarkdown', () => {
  it('has a one-line verdict, a family table, failed rules with replay commands, coverage and collapsed ambiguities', () => {
    const md = toMarkdown(makeReport());
    expect(md).toContain('**NONCONFORMANT: 1 of 6 rule(s) failed**');
    expect(md).toContain('| Family | Pass | Fail | Not exercised | Total |');
    expect(md).toContain('| pnp | 2 | 0 | 1 | 3 |');
    expect(md).toContain('| channel | 1 | 1 | 0 | 2 |');
    expect(md).toContain('| **All** | **4** | **1** | **1** | **6** |');
    expect(md).toContain('#### CHANNEL-APPEND-001 (MUST, channel)');
    expect(md).toContain('```sh\nnpx netdma-conformance check candidates/ioat.ts --replay "seed=42:path=3:1:0"\n```');
    expect(md).toContain('- Rules exercised: 5 of 6 (83.3%)');
    expect(md).toContain('- PnP transitions covered: 9 of 12 (75.0%)');
    expect(md).toContain('- Candidate code lines: 83.4% of `candidates`');
    expect(md).toMatch(/<details>\n<summary>Ambiguity decisions \(2\)<\/summary>[\s\S]*AMB-001[\s\S]*<\/details>/);
    // No emoji anywhere.
    expect(md).not.toMatch(/\p{Extended_Pictographic}/u);
  });

  it('says conformant and lists no failures for a passing run', () => {
    const md = toMarkdown(makeReport({ rules: [makeRule('PNP-1', 'pass'), makeRule('PNP-2', 'not-exercised')] }));
    expect(md).toContain('**CONFORMANT: all 1 exercised rule(s) passed, 1 of 2 not exercised**');
    expect(md).not.toContain('Failed rules');
  });

  it('shows errors and incompleteness', () => {
    const md = toMarkdown(makeReport({ errors: [{ message: 'cannot load candidate', detail: 'stack' }], overrides: { incomplete: { reason: 'SIGINT' } } }));
    expect(md).toContain('**ERROR: the run could not complete (1 error(s))**');
    expect(md).toContain('> **Incomplete run:** SIGINT');
    expect(md).toContain('- cannot load candidate');
  });

  it('escapes block starts at the beginning of a line', () => {
    expect(mdText('# not a heading')).toBe('\\# not a heading');
    expect(mdText('- not a list')).toBe('\\- not a list');
    expect(mdText('12. not a list')).toBe('12\\. not a list');
    expect(mdText('a_b*c [x](y) | `z`')).toBe('a\\_b\\*c \\[x\\](y) \\| \\`z\\`');
  });

  it('escapes hostile strings: no raw HTML, table cells stay on one line, fences survive backticks', () => {
    const rule = makeRule('X-1', 'fail', { family: 'fam|<b>x</b>\nnext' });
    const report = makeReport({ rules: [{ ...rule, failure: { ...rule.failure!, replayCommand: 'echo ```; rm -rf /' } }] });
    const md = toMarkdown(report);
    expect(md).toContain('| fam\\|&lt;b&gt;x&lt;/b&gt; next | 0 | 1 | 0 | 1 |');
    expect(md).toContain('````sh\necho ```; rm -rf /\n````');
  });

  it('for arbitrary reports: candidate strings never open HTML tags, every family has a row', () => {
    fc.assert(
      fc.property(reportArb, (report) => {
        const md = toMarkdown(report);
        // Only the writer's own tags appear outside code blocks.
        const outsideCode = md.replace(/^ *(`{3,})[^\n]*\n[\s\S]*?\n *\1$/gm, '').replace(/(?<!`)(`+)(?!`)[^\n]*?(?<!`)\1(?!`)/g, '');
        const tags = [...outsideCode.matchAll(/<\/?([A-Za-z][\w-]*)/g)].map((m) => m[1]);
        expect(new Set(tags)).toEqual(new Set(tags.filter((t) => ['details', 'summary', 'sub'].includes(t!))));
        const tableRows = md.split('\n').filter((l) => l.startsWith('| ') && l.endsWith(' |'));
        const families = new Set(report.rules.map((r) => r.family));
        // header + separator + one row per family + total, plus the ambiguity table and the waiver table.
        const waivers = report.waivers === undefined || report.waivers.entries.length === 0 ? 0 : 2 + report.waivers.entries.length;
        expect(tableRows.length).toBe(2 + families.size + 1 + (report.ambiguities.length > 0 ? 2 + report.ambiguities.length : 0) + waivers);
      }),
      { seed: 42, numRuns: 150 },
    );
  });
});
