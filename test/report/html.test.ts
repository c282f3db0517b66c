import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHtml, type ConformanceReport } from '../../src/report';
import { NASTY_CONSTANTS, reportArb } from './arbitraries';
import { makeFailure, makeReport, makeRule } from './builder';
import { attr, byId, elements, htmlRoundTrip, parseHtml, select, textContent } from './html-dom';

/** Tags the writer itself emits; anything else would come from an unescaped string. */
const OWN_TAGS = new Set(
  'html head meta title style body header div h1 p code main section span h2 article a dl dt dd button pre details summary ol li h4 h3 table colgroup col thead tr th tbody td input ul footer script svg defs marker path g text rect strong'.split(' '),
);

function dom(report: ConformanceReport) {
  return parseHtml(toHtml(report));
}

describe('toHtml', () => {
  const report = makeReport();
  const root = dom(report);

  it('shows the verdict in #verdict and a coloured banner', () => {
    expect(textContent(byId(root, 'verdict')!)).toBe('nonconformant');
    expect(attr(byId(root, 'banner')!, 'class')).toContain('v-nonconformant');
    expect(textContent(byId(root, 'verdict')!)).toBe('nonconformant');
    expect(textContent(byId(parseHtml(toHtml(makeReport({ rules: [makeRule('A-1', 'pass')] }))), 'verdict')!)).toBe('conformant');
  });

  it('has one [data-rule-id] row per rule with its status, grouped by family', () => {
    const rows = select(root, (e) => attr(e, 'data-rule-id') !== undefined);
    expect(rows.every((r) => r.tagName === 'tr')).toBe(true);
    expect(rows.map((r) => [attr(r, 'data-rule-id'), attr(r, 'data-status')])).toEqual([
      ['PNP-START-001', 'pass'],
      ['PNP-STOP-002', 'pass'],
      ['PNP-REMOVE-003', 'not-exercised'],
      ['CHANNEL-APPEND-001', 'fail'],
      ['CHANNEL-RESET-002', 'pass'],
      ['DMA-COMPLETE-001', 'pass'],
    ]);
    expect(select(root, (e) => e.tagName === 'section' && attr(e, 'data-family') !== undefined).map((e) => attr(e, 'data-family'))).toEqual(['pnp', 'channel', 'dma']);
  });

  it('shows key figures', () => {
    const figures = textContent(byId(root, 'figures')!);
    for (const s of ['Passed4', 'Failed1', 'Not exercised1', 'Rule coverage83.3%', 'PnP transitions75.0%', 'Code lines83.4%', '1.0, 1.1, 2.0', 'Seed42']) {
      expect(figures).toContain(s);
    }
  });

  it('shows each failure with a copyable replay command and a coloured vertical timeline', () => {
    const article = select(root, (e) => attr(e, 'data-failure-for') === 'CHANNEL-APPEND-001')[0]!;
    const pre = select(article, (e) => e.tagName === 'pre' && (attr(e, 'id') ?? '').startsWith('replay-'))[0]!;
    expect(textContent(pre)).toBe('npx netdma-conformance check candidates/ioat.ts --replay "seed=42:path=3:1:0"');
    const button = select(article, (e) => e.tagName === 'button')[0]!;
    expect(attr(button, 'data-copy')).toBe(attr(pre, 'id'));
    const rows = select(article, (e) => e.tagName === 'li' && attr(e, 'data-kind') !== undefined);
    expect(rows.map((r) => attr(r, 'data-kind'))).toEqual(makeFailure().counterexample.map((e) => e.kind));
    expect(new Set(rows.map((r) => attr(r, 'style'))).size).toBe(11);
    expect(textContent(rows[5]!)).toContain('DIRQL(5)');
    const steps = select(article, (e) => e.tagName === 'ol' && attr(e, 'class') === 'steps')[0]!;
    expect(select(steps, (e) => e.tagName === 'li').map(textContent)).toEqual(makeFailure().steps);
  });

  it('draws the PnP state diagram: one edge per transition, covered solid with count, uncovered dashed', () => {
    const edges = select(root, (e) => e.tagName === 'g' && (attr(e, 'class') ?? '').split(' ').includes('edge'));
    expect(edges).toHaveLength(report.coverage.transitions.length);
    const start = edges.find((e) => attr(e, 'data-from') === 'Added')!;
    expect(attr(start, 'class')).toBe('edge covered');
    const label = (edge: typeof start) => select(root, (e) => attr(e, 'class')?.startsWith('edge-label') === true && attr(e, 'data-edge') === attr(edge, 'data-edge'))[0]!;
    expect(textContent(label(start))).toBe('START_DEVICE ×40');
    expect(attr(start, 'data-event')).toBe('IRP_MN_START_DEVICE');
    const never = edges.find((e) => attr(e, 'data-from') === 'SurpriseRemoved')!;
    expect(attr(never, 'class')).toBe('edge uncovered');
    expect(attr(select(never, (e) => e.tagName === 'path')[0]!, 'stroke-dasharray')).toBe('5 4');
    expect(textContent(label(never))).toBe('REMOVE_DEVICE');
    const states = select(root, (e) => e.tagName === 'g' && attr(e, 'data-state') !== undefined).map((e) => attr(e, 'data-state'));
    expect(states).toEqual(['Added', 'Started', 'StopPending', 'Stopped', 'RemovePending', 'Removed', 'SurpriseRemoved']);
    // Deterministic layout.
    expect(toHtml(report)).toBe(toHtml(structuredClone(report)));
  });

  it('links conceptual docs and shows other sources as text; loads nothing external', () => {
    const html = toHtml(report);
    const links = select(root, (e) => e.tagName === 'a' && (attr(e, 'href') ?? '').startsWith('http'));
    expect(new Set(links.map((a) => attr(a, 'href')))).toEqual(new Set(['https://learn.microsoft.com/en-us/previous-versions/windows/hardware/network/starting-a-netdma-provider']));
    expect(html).toContain('nf-netdma-netdmaregisterprovider.md');
    expect(select(root, (e) => ['link', 'img', 'iframe', 'object', 'embed'].includes(e.tagName!))).toEqual([]);
    expect(select(root, (e) => attr(e, 'src') !== undefined)).toEqual([]);
    expect(html).not.toMatch(/@import|url\((?!#arrow-)/);
  });

  it('shows the ambiguity decisions, errors and incompleteness', () => {
    expect(select(root, (e) => attr(e, 'data-ambiguity-id') !== undefined).map((e) => attr(e, 'data-ambiguity-id'))).toEqual(['AMB-001', 'AMB-002']);
    const errored = dom(makeReport({ errors: [{ message: 'boom', detail: 'stack' }], overrides: { incomplete: { reason: 'SIGINT' } } }));
    expect(textContent(byId(errored, 'verdict')!)).toBe('error');
    expect(textContent(byId(errored, 'errors')!)).toContain('boom');
    expect(textContent(byId(errored, 'incomplete')!)).toContain('SIGINT');
  });

  it('escapes hostile strings everywhere', () => {
    const evil = NASTY_CONSTANTS.join(' ');
    const rule = makeRule('<script>alert(1)</script>', 'fail', { statement: evil, family: '"><svg onload=alert(1)>' });
    const hostile = makeReport({
      rules: [{ ...rule, failure: { ...rule.failure!, replayCommand: evil, counterexample: [{ seq: 0, kind: 'note', text: evil }] } }],
      transitions: [{ from: '</svg><script>x()</script>', event: evil, to: '<b>', covered: 1 }],
      overrides: { candidate: { path: evil, name: evil } },
    });
    const h = dom(hostile);
    expect(select(h, (e) => e.tagName === 'script')).toHaveLength(1);
    expect(select(h, (e) => !OWN_TAGS.has(e.tagName!))).toEqual([]);
    expect(select(h, (e) => (e.attrs ?? []).some((a) => a.name.startsWith('on')))).toEqual([]);
    expect(attr(select(h, (e) => attr(e, 'data-rule-id') !== undefined)[0]!, 'data-rule-id')).toBe('<script>alert(1)</script>');
    expect(textContent(select(h, (e) => e.tagName === 'pre' && (attr(e, 'id') ?? '').startsWith('replay-'))[0]!)).toBe(htmlRoundTrip(evil));
  });

  it('for arbitrary reports: no unescaped string, every string shown as text, one row per rule', () => {
    fc.assert(
      fc.property(reportArb, (r) => {
        const h = dom(r);
        const all = elements(h);
        expect(all.filter((e) => !OWN_TAGS.has(e.tagName!)).map((e) => e.tagName)).toEqual([]);
        expect(all.filter((e) => e.tagName === 'script')).toHaveLength(1);
        expect(all.filter((e) => (e.attrs ?? []).some((a) => a.name.startsWith('on')))).toEqual([]);
        expect(textContent(byId(h, 'verdict')!)).toBe(r.verdict);
        const rows = all.filter((e) => attr(e, 'data-rule-id') !== undefined);
        const families = [...new Set(r.rules.map((x) => x.family))];
        const ordered = families.flatMap((f) => r.rules.filter((x) => x.family === f));
        expect(rows.map((e) => [attr(e, 'data-rule-id'), attr(e, 'data-status')])).toEqual(ordered.map((x) => [htmlRoundTrip(x.id), x.status]));
        // Statements come back as text, exactly.
        expect(rows.map((e) => textContent(e.childNodes![2]!))).toEqual(ordered.map((x) => htmlRoundTrip(x.statement)));
        const edges = all.filter((e) => e.tagName === 'g' && (attr(e, 'class') ?? '').split(' ').includes('edge'));
        expect(edges.map((e) => [attr(e, 'data-from'), attr(e, 'data-event'), attr(e, 'data-to')]).sort()).toEqual(
          r.coverage.transitions.map((t) => [htmlRoundTrip(t.from), htmlRoundTrip(t.event), htmlRoundTrip(t.to)]).sort(),
        );
        const failures = all.filter((e) => attr(e, 'data-failure-for') !== undefined);
        expect(failures).toHaveLength(r.rules.filter((x) => x.status === 'fail' || x.status === 'waived').length);
        expect(failures.filter((e) => attr(e, 'data-waived') === 'true')).toHaveLength(r.rules.filter((x) => x.status === 'waived').length);
      }),
      { seed: 42, numRuns: 60 },
    );
  });
});
