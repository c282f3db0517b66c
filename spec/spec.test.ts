import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import {
  AMBIGUITIES,
  AMBIGUITY_IDS,
  CHECKERS,
  RULES,
  RULE_DATA,
  RULE_FAMILIES,
  RuleSchema,
  isRuleId,
  parseAmbiguityData,
  parseRuleData,
  ruleById,
  type RuleId,
} from './index';
import { RULES_MD_URL, renderRulesMarkdown } from './generate-rules-md';
import {
  SOURCES_INDEX_COMMENT,
  SOURCES_INDEX_URL,
  SourcesIndexSchema,
  compareFactIds,
  buildSourcesIndex,
  citableSources,
  factTexts,
  hasSharedDocs,
  indexedSources,
  missingCitations,
  readSourcesIndex,
  serializeSourcesIndex,
  sharedPageContainsQuote,
  verifiedQuotes,
  type Citation,
} from './sources';
import { catalogQuotes } from './generate-sources-index';
import { indexContainsQuote, normalizeDocText, pageContainsQuote } from './quotes';
import { quoteFitsLevel, type RuleQuote } from './schema';

/**
 * Citations are checked against the shared doc folder beside the repository (`../shared/wdk-netdma`,
 * as in CI) where it exists, else against the committed index `spec/sources-index.json`, which the
 * tests below hold equal to the folder wherever the folder exists.
 */
const SHARED_PRESENT = hasSharedDocs();
const SOURCES = citableSources();
const INDEX = readSourcesIndex();

/** Every citation of the catalog: the rules' facts and docs, the ambiguity decisions' facts. */
const CITATIONS: readonly Citation[] = [
  ...RULES.flatMap((r) => [
    ...r.sources.facts.map((f) => ({ by: r.id, kind: 'fact' as const, cited: f })),
    ...r.sources.docs.map((d) => ({ by: r.id, kind: 'doc' as const, cited: d })),
  ]),
  ...AMBIGUITIES.flatMap((a) => a.facts.map((f) => ({ by: a.id, kind: 'fact' as const, cited: f }))),
];

/** Ids that other code references; they must never disappear or be renamed. */
const PINNED_IDS = [
  'DRV-ENTRY-01', 'DRV-ENTRY-02', 'DRV-ENTRY-03', 'DRV-ENTRY-04', 'DRV-ENTRY-05',
  'DRV-ADD-01', 'DRV-ADD-02', 'DRV-ADD-03', 'DRV-ADD-04', 'DRV-ADD-05', 'DRV-ADD-06',
  'NDMA-REG-01', 'NDMA-REG-02', 'NDMA-REG-03', 'NDMA-REG-04', 'NDMA-REG-05', 'NDMA-REG-06',
  'NDMA-REG-07', 'NDMA-REG-08', 'NDMA-REG-09', 'NDMA-REG-10',
  'PNP-FILTER-01', 'PNP-FILTER-02', 'PNP-FILTER-03', 'PNP-FILTER-04',
  'PNP-START-01', 'PNP-START-02', 'PNP-START-03', 'PNP-START-04', 'PNP-START-05', 'PNP-START-06',
  'PNP-START-07', 'PNP-START-08', 'PNP-START-09', 'PNP-START-10', 'PNP-START-11',
  'PNP-QSTOP-01', 'PNP-QSTOP-02', 'PNP-STOP-01', 'PNP-STOP-02', 'PNP-STOP-03', 'PNP-CSTOP-01',
  'PNP-QREM-01', 'PNP-QREM-02', 'PNP-CREM-01', 'PNP-REM-01', 'PNP-REM-02', 'PNP-REM-03',
  'PNP-REM-04', 'PNP-REM-05', 'PNP-REM-06',
  'PNP-SURP-01', 'PNP-SURP-02', 'PNP-SURP-03',
  'NDMA-STOP-01', 'NDMA-DEREG-01',
  'DRV-UNLOAD-01', 'DRV-UNLOAD-02', 'DRV-UNLOAD-03',
  'PWR-01', 'PWR-02', 'PWR-03', 'PWR-04', 'PWR-05', 'PWR-06',
  'KE-IRQL-01', 'KE-IRQL-02', 'KE-IRQL-03', 'KE-IRQL-04', 'KE-IRQL-05',
  'IRP-01', 'IRP-02', 'IRP-03', 'IRP-04', 'IRP-05', 'IRP-06', 'IRP-07',
  'KAPI-01', 'KAPI-02', 'KAPI-03', 'KAPI-04', 'KAPI-05', 'KAPI-06',
  'NDMA-CHAN-01', 'NDMA-CHAN-02', 'NDMA-CHAN-03', 'NDMA-CHAN-04', 'NDMA-CHAN-05',
] as const satisfies readonly RuleId[];

describe('rule catalog data', () => {
  it('validates every rule with RuleSchema', () => {
    for (const rule of RULE_DATA) {
      const result = RuleSchema.safeParse(rule);
      expect(result.success, `${rule.id}: ${result.success ? '' : JSON.stringify(result.error.issues)}`).toBe(true);
    }
    expect(RULES).toHaveLength(RULE_DATA.length);
  });

  it('has unique ids', () => {
    const ids = RULES.map((r) => r.id);
    const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
    expect(dupes).toEqual([]);
  });

  it('keeps every pinned id', () => {
    const missing = PINNED_IDS.filter((id) => !isRuleId(id));
    expect(missing).toEqual([]);
    for (const id of PINNED_IDS) expect(ruleById(id).id).toBe(id);
  });

  it('gives every family at least one rule and lists rules in family order', () => {
    for (const family of RULE_FAMILIES) {
      expect(RULES.some((r) => r.family === family), family).toBe(true);
    }
    const order = RULES.map((r) => RULE_FAMILIES.indexOf(r.family));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('cites at least one fact and one doc per rule, and uses only known checkers', () => {
    for (const rule of RULES) {
      expect(rule.sources.facts.length, rule.id).toBeGreaterThan(0);
      expect(rule.sources.docs.length, rule.id).toBeGreaterThan(0);
      expect(rule.checkedBy.length, rule.id).toBeGreaterThan(0);
      for (const c of rule.checkedBy) expect(CHECKERS, rule.id).toContain(c);
      expect(new Set(rule.sources.facts).size, `${rule.id} repeats a fact`).toBe(rule.sources.facts.length);
      expect(new Set(rule.sources.docs).size, `${rule.id} repeats a doc`).toBe(rule.sources.docs.length);
    }
  });

  it(`cites only facts that exist in FACTS.md (checked against ${SOURCES.origin})`, () => {
    expect(SOURCES.facts.size).toBeGreaterThan(100);
    expect(missingCitations(CITATIONS.filter((c) => c.kind === 'fact' && isRuleId(c.by)), SOURCES)).toEqual([]);
  });

  it(`cites only doc files that exist in the shared folder (checked against ${SOURCES.origin})`, () => {
    expect(CITATIONS.filter((c) => c.kind === 'doc').length).toBeGreaterThan(RULES.length);
    expect(missingCitations(CITATIONS.filter((c) => c.kind === 'doc'), SOURCES)).toEqual([]);
  });

  it('reports a citation of a missing fact or doc (the citation check has teeth)', () => {
    const bogus: Citation[] = [
      { by: 'X-1', kind: 'fact', cited: 'F99z' },
      { by: 'X-2', kind: 'doc', cited: 'ddi/no-such-page.md' },
      { by: 'X-3', kind: 'doc', cited: 'conceptual' },
      { by: 'X-4', kind: 'doc', cited: '../wdk-netdma/FACTS.md' },
      { by: 'X-5', kind: 'fact', cited: 'F8d' },
      { by: 'X-6', kind: 'doc', cited: 'FACTS.md' },
    ];
    expect(missingCitations(bogus, SOURCES)).toEqual(['X-1: F99z', 'X-2: ddi/no-such-page.md', 'X-3: conceptual', 'X-4: ../wdk-netdma/FACTS.md']);
  });

  it('marks a rule that depends on an ambiguity with that ambiguity, and vice versa', () => {
    for (const rule of RULES) {
      for (const a of rule.ambiguities) {
        const decision = AMBIGUITIES.find((d) => d.id === a);
        expect(decision?.rules, `${rule.id} lists ${a}, but ${a}'s decision does not list ${rule.id}`).toContain(rule.id);
      }
    }
    for (const decision of AMBIGUITIES) {
      for (const id of decision.rules) {
        expect(ruleById(id).ambiguities, `${decision.id} lists ${id}, which does not list ${decision.id}`).toContain(
          decision.id,
        );
      }
    }
  });
});

describe('ambiguity decisions', () => {
  it('has exactly one decision for each of A1–A16, in order', () => {
    expect(AMBIGUITIES.map((a) => a.id)).toEqual([...AMBIGUITY_IDS]);
  });

  it('names only existing rules and facts', () => {
    for (const a of AMBIGUITIES) {
      expect(a.rules.length, a.id).toBeGreaterThan(0);
      for (const id of a.rules) expect(isRuleId(id), `${a.id}: ${id}`).toBe(true);
      for (const f of a.facts) expect(SOURCES.facts.has(f), `${a.id}: ${f} (checked against ${SOURCES.origin})`).toBe(true);
    }
  });

  it('rejects decisions that name unknown rules or leave an ambiguity undecided', () => {
    const ids = new Set<string>(RULES.map((r) => r.id));
    const bogus = AMBIGUITIES.map((a) => (a.id === 'A3' ? { ...a, rules: ['NOPE-01'] } : a));
    expect(() => parseAmbiguityData(bogus, ids)).toThrow(/A3.*NOPE-01/);
    expect(() => parseAmbiguityData(AMBIGUITIES.slice(1), ids)).toThrow(/A1/);
  });
});

describe('load-time validation', () => {
  it('throws an Error that names the bad rule', () => {
    const good = RULE_DATA[0];
    expect(() => parseRuleData([good, { ...good, id: 'BAD-RULE-07', level: 'MAY' }])).toThrow(/BAD-RULE-07/);
    expect(() => parseRuleData([{ ...good, statement: 'Two sentences. Here is the second one.' }])).toThrow(
      new RegExp(good.id),
    );
    expect(() => parseRuleData([good, good])).toThrow(/duplicate rule id/);
  });
});

describe('RULES.md', () => {
  it('is up to date with the rule data (run `npx tsx spec/generate-rules-md.ts`)', () => {
    const onDisk = readFileSync(RULES_MD_URL, 'utf8');
    expect(onDisk === renderRulesMarkdown(), 'spec/RULES.md is stale: run `npx tsx spec/generate-rules-md.ts`').toBe(true);
  });

  it('lists every rule and every ambiguity decision', () => {
    const md = renderRulesMarkdown();
    for (const rule of RULES) expect(md).toContain(`| ${rule.id} |`);
    for (const rule of RULES) if (rule.quote !== undefined) expect(md, rule.id).toContain(rule.quote.doc);
    for (const rule of RULES) for (const a of rule.ambiguities) expect(md, rule.id).toContain(a);
    for (const a of AMBIGUITIES) expect(md).toContain(`### ${a.id}. `);
    expect(md).toContain('## Decisions on ambiguities');
  });
});

describe('spec/sources-index.json (the committed index of the cited sources)', () => {
  it('validates, and records at least every cited fact and doc', () => {
    expect(SourcesIndexSchema.safeParse(JSON.parse(readFileSync(SOURCES_INDEX_URL, 'utf8'))).success).toBe(true);
    expect(missingCitations(CITATIONS, indexedSources(INDEX))).toEqual([]);
  });

  it(
    SHARED_PRESENT
      ? 'equals what `npx tsx spec/generate-sources-index.ts` generates from ../shared/wdk-netdma'
      : 'is in the generator\'s canonical form (../shared/wdk-netdma is absent here: equality with it is checked where it exists)',
    () => {
      const onDisk = readFileSync(SOURCES_INDEX_URL, 'utf8');
      if (SHARED_PRESENT) {
        expect(onDisk === serializeSourcesIndex(buildSourcesIndex(undefined, catalogQuotes())), 'spec/sources-index.json is stale: run `npx tsx spec/generate-sources-index.ts`').toBe(true);
      } else {
        expect(Object.keys(INDEX.facts)).toEqual(Object.keys(INDEX.facts).sort(compareFactIds));
        expect(Object.keys(INDEX.docs)).toEqual(Object.keys(INDEX.docs).sort());
        expect(Object.keys(INDEX.quotes)).toEqual(Object.keys(INDEX.quotes).sort());
        for (const list of Object.values(INDEX.quotes)) expect(list).toEqual([...new Set(list)].sort());
        expect(INDEX.$comment).toBe(SOURCES_INDEX_COMMENT);
        expect(onDisk).toBe(serializeSourcesIndex(INDEX));
      }
    },
  );

  it('hashes each fact\'s own text: its item, its sub-items, nothing of the next fact', () => {
    const md = [
      '# Digest',
      '',
      '- F1. One line.',
      '- F2. Two parts [C: a.md]:',
      '  - part one',
      '  - part two',
      '  - F2a. A sub-fact.',
      '    continued',
      '',
      '  - F2b. Another.',
      '- F3. Last.',
      'Not a fact.',
      '## Next',
    ].join('\r\n');
    expect(Object.fromEntries(factTexts(md))).toEqual({
      F1: '- F1. One line.',
      F2: '- F2. Two parts [C: a.md]:\n  - part one\n  - part two',
      F2a: '  - F2a. A sub-fact.\n    continued',
      F2b: '  - F2b. Another.',
      F3: '- F3. Last.',
    });
    expect(() => factTexts('- F1. a\n- F1. b')).toThrow(/F1 twice/);
  });
});

/** Whether the quote is in its page: the shared folder where present, else the committed index. */
function quoteFound(quote: RuleQuote): boolean {
  return SHARED_PRESENT ? sharedPageContainsQuote(quote) : indexContainsQuote(INDEX.quotes, quote);
}

describe('levels and quotes (a MUST quotes its must, a SHOULD its should, a DERIVED names its decision)', () => {
  it('gives every MUST and SHOULD rule a quote that says its level, from a page the rule cites', () => {
    for (const rule of RULES) {
      if (rule.level === 'DERIVED') continue;
      expect(rule.quote, `${rule.id} (${rule.level}) has no quote`).toBeDefined();
      expect(quoteFitsLevel(rule.level, rule.quote!.text), `${rule.id}: "${rule.quote!.text}"`).toBe(true);
      expect(rule.sources.docs, `${rule.id} quotes a page it does not cite`).toContain(rule.quote!.doc);
    }
    for (const rule of RULES) if (rule.quote !== undefined) expect(rule.sources.docs, rule.id).toContain(rule.quote.doc);
  });

  it(`finds every quote in its page (checked against ${SOURCES.origin})`, () => {
    const missing = RULES.filter((r) => r.quote !== undefined && !quoteFound(r.quote)).map((r) => `${r.id}: ${r.quote!.doc}: "${r.quote!.text}"`);
    expect(missing).toEqual([]);
    expect(RULES.filter((r) => r.quote !== undefined).length).toBeGreaterThan(30);
  });

  it('rejects a quote its page does not contain, or that is cut differently (the quote check has teeth)', () => {
    const real = RULES.find((r) => r.id === 'PNP-REM-02')!.quote!;
    expect(quoteFound(real)).toBe(true);
    expect(quoteFound({ ...real, text: real.text.replace('must call', 'should call') })).toBe(false);
    expect(quoteFound({ ...real, doc: 'conceptual/starting-a-netdma-provider.md' })).toBe(false);
    expect(quoteFound({ doc: 'ddi/no-such-page.md', text: 'The provider must do nothing at all.' })).toBe(false);
  });

  it('compares quotes with pages after normalising whitespace, emphasis, escapes, tags and links', () => {
    const page = 'A **driver** must call\n  [NetDmaProviderStop](nf-x.md) before <b>IRP\\_MN\\_REMOVE\\_DEVICE</b> &gt; *returns*.';
    expect(normalizeDocText(page)).toBe('A driver must call NetDmaProviderStop before IRP_MN_REMOVE_DEVICE > returns.');
    expect(pageContainsQuote(page, { text: 'must call NetDmaProviderStop before IRP_MN_REMOVE_DEVICE > returns.' })).toBe(true);
    expect(pageContainsQuote(page, { text: 'must call NetDmaProviderStop after IRP_MN_REMOVE_DEVICE' })).toBe(false);
    expect(() => verifiedQuotes('/nonexistent', [{ by: 'X-01', quote: { doc: 'ddi/a.md', text: 'It must be there.' } }])).toThrow(/X-01/);
  });

  it('has no MUST rule that rests on an ambiguity decision, and every DERIVED rule names its decision', () => {
    for (const rule of RULES) {
      if (rule.level === 'MUST') expect(rule.ambiguities, `${rule.id} is MUST but lists ambiguities`).toEqual([]);
      if (rule.level === 'DERIVED') {
        expect(rule.ambiguities.length > 0 || (rule.reading?.length ?? 0) > 0, `${rule.id} is DERIVED without a decision`).toBe(true);
      }
    }
  });

  it('rejects, at load, a MUST without a quote or with a should-quote, a MUST naming an ambiguity, a SHOULD quoting a must, a DERIVED without a decision', () => {
    const must = RULES.find((r) => r.level === 'MUST')!;
    const { quote: _q, ...noQuote } = must;
    expect(() => parseRuleData([noQuote])).toThrow(new RegExp(`${must.id}.*quote`));
    expect(() => parseRuleData([{ ...must, quote: { doc: must.quote!.doc, text: 'The driver should do it.' } }])).toThrow(/says "must"/);
    expect(() => parseRuleData([{ ...must, ambiguities: ['A1'] }])).toThrow(/DERIVED/);
    expect(() => parseRuleData([{ ...must, level: 'SHOULD' }])).toThrow(/says "should"/);
    const { reading: _r, ...bare } = RULES.find((r) => r.level === 'DERIVED' && r.ambiguities.length === 0)!;
    expect(() => parseRuleData([bare])).toThrow(/decision/);
    expect(() => parseRuleData([{ ...bare, ambiguities: ['A5'] }])).not.toThrow();
  });

  it('re-levels the rules the review named: PWR-05, KE-IRQL-05, PNP-START-12 and NDMA-INT-03 are DERIVED, IRP-07 quotes its must', () => {
    for (const id of ['PWR-05', 'KE-IRQL-05', 'PNP-START-12', 'NDMA-INT-03'] as const) expect(ruleById(id).level, id).toBe('DERIVED');
    expect(ruleById('IRP-07').quote?.text).toMatch(/IoCompletion routine must return STATUS_MORE_PROCESSING_REQUIRED/);
  });
});
