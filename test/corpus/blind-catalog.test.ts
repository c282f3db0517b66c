/**
 * The blind corpora's catalogs stay usable as data: every entry has its patch, every declared rule
 * and every judgement names something that exists. (Running the corpora is `scripts/blind-corpus.ts`,
 * minutes per corpus, outside `npm test`.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { RULES } from '../../spec';

const ROOT = join(import.meta.dirname, '..', '..');
const Entry = z.object({ name: z.string(), base: z.string().optional(), rules: z.array(z.string()).optional() });
const Judged = z.record(z.string(), z.object({ planted: z.boolean(), why: z.string() }));
const ruleIds = new Set<string>(RULES.map((r) => r.id));

describe.each(['candidates/blind/faulty', 'candidates/blind/faulty-wdm'])('blind corpus %s', (dir) => {
  const catalog = z.array(Entry).parse(JSON.parse(readFileSync(join(ROOT, dir, 'catalog.json'), 'utf8')));
  const names = new Set(catalog.map((e) => e.name));

  it('has a patch per entry, unique names, and existing bases', () => {
    expect(names.size).toBe(catalog.length);
    for (const e of catalog) {
      expect(existsSync(join(ROOT, dir, `${e.name}.patch`)), `${e.name}.patch`).toBe(true);
      if (e.base !== undefined) expect(existsSync(join(ROOT, e.base, 'index.ts')), e.base).toBe(true);
    }
  });

  it('declares only rules the catalog has', () => {
    const unknown = catalog.flatMap((e) => (e.rules ?? []).filter((r) => !ruleIds.has(r)).map((r) => `${e.name}: ${r}`));
    expect(unknown).toEqual([]);
  });

  it('judges only entries it has', () => {
    const path = join(ROOT, dir, 'judged.json');
    if (!existsSync(path)) return;
    const judged = Judged.parse(JSON.parse(readFileSync(path, 'utf8')));
    expect(Object.keys(judged).filter((n) => !names.has(n))).toEqual([]);
  });
});
