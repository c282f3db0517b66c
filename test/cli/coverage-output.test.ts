import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coverageHtml, coverageTotals, toLcov } from '../../src/cli/coverage-output';
import type { FileCoverage } from '../../src/runner/isolation/coverage';

const file = (name: string, hits: [number, number][]): FileCoverage => ({ file: name, lines: hits.length, covered: hits.filter(([, c]) => c > 0).length, lineHits: hits });

const fileArb = fc
  .tuple(fc.stringMatching(/^\/src\/[a-z]{1,8}\.ts$/), fc.uniqueArray(fc.integer({ min: 1, max: 400 }), { maxLength: 40 }), fc.array(fc.nat({ max: 5 }), { minLength: 40, maxLength: 40 }))
  .map(([name, lines, counts]) => file(name, [...lines].sort((a, b) => a - b).map((l, i) => [l, counts[i]!] as [number, number])));

describe('--coverage output', () => {
  it('lcov: one record per file, a DA line per line with code, LF/LH matching the file\'s counts', () => {
    const text = toLcov([file('/c/b.ts', [[3, 0], [4, 2]]), file('/c/a.ts', [[1, 1]])]);
    expect(text).toBe(['TN:netdma-conformance', 'SF:/c/a.ts', 'DA:1,1', 'LF:1', 'LH:1', 'end_of_record', 'SF:/c/b.ts', 'DA:3,0', 'DA:4,2', 'LF:2', 'LH:1', 'end_of_record', ''].join('\n'));
  });

  it('lcov totals agree with the summary for any files', () => {
    fc.assert(
      fc.property(fc.array(fileArb, { maxLength: 5 }), (files) => {
        const text = toLcov(files);
        const sum = (tag: string) => [...text.matchAll(new RegExp(`^${tag}:(\\d+)$`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
        const t = coverageTotals(files);
        expect(sum('LF')).toBe(t.lines);
        expect(sum('LH')).toBe(t.covered);
        expect(text.match(/^end_of_record$/gm)?.length ?? 0).toBe(files.length);
      }),
    );
  });

  it('HTML: every source line, marked run / never run / no code, with the source escaped', () => {
    const html = coverageHtml([file('/c/a.ts', [[1, 3], [2, 0]])], new Map([['/c/a.ts', 'const a = 1 < 2;\nif (a) f();\n// end']]), '/c');
    expect(html).toContain('<tr class="y"><td class="ln">1</td><td class="ct">3×</td><td><code>const a = 1 &#60; 2;</code></td></tr>');
    expect(html).toContain('<tr class="z"><td class="ln">2</td><td class="ct">!</td>');
    expect(html).toContain('<tr class="n"><td class="ln">3</td><td class="ct"></td><td><code>// end</code></td></tr>');
    expect(html).toContain('<a href="#f0">a.ts</a></td><td>2</td><td>1</td><td>50.0%</td>');
    expect(html).not.toMatch(/<script/);
  });

  it('HTML lists a file whose source cannot be read', () => {
    expect(coverageHtml([file('/gone.ts', [[1, 0]])], new Map(), '/')).toContain('(source not readable)');
  });
});
