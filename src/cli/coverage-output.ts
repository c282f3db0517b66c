/**
 * `--coverage` output: lcov and a self-contained HTML line report of the candidate's own source
 * files, from the line hits the isolation worker mapped back through tsx's source maps. Pure: the
 * caller reads the sources and writes the files.
 *
 * @module
 */
import path from 'node:path';
import type { FileCoverage } from '../runner/isolation/coverage';

/** Line coverage of a set of files: lines with code, lines that ran, and the percentage. */
export interface CoverageTotals {
  readonly lines: number;
  readonly covered: number;
  /** 0 when no line has code. */
  readonly linesPct: number;
}

/** Totals over files. */
export function coverageTotals(files: readonly Pick<FileCoverage, 'lines' | 'covered'>[]): CoverageTotals {
  const lines = files.reduce((n, f) => n + f.lines, 0);
  const covered = files.reduce((n, f) => n + f.covered, 0);
  return { lines, covered, linesPct: lines === 0 ? 0 : (100 * covered) / lines };
}

/**
 * The lcov tracefile (`lcov.info`, as genhtml, Codecov and editors read it): per file `SF`, one
 * `DA:line,count` per line with code, `LF` / `LH` totals, `end_of_record`. Files are sorted by path.
 */
export function toLcov(files: readonly FileCoverage[]): string {
  const out: string[] = ['TN:netdma-conformance'];
  for (const f of [...files].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))) {
    out.push(`SF:${f.file}`);
    for (const [line, count] of f.lineHits) out.push(`DA:${line},${count}`);
    out.push(`LF:${f.lineHits.length}`, `LH:${f.lineHits.filter(([, c]) => c > 0).length}`, 'end_of_record');
  }
  return `${out.join('\n')}\n`;
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** `12.3%` of `covered / lines`, `–` when there is no line. */
const pct = (covered: number, lines: number): string => (lines === 0 ? '–' : `${((100 * covered) / lines).toFixed(1)}%`);

/**
 * A single HTML page: a table of files (lines, covered, %) and, per file, its source with each line
 * marked as run (with its count), not run, or without code. `sources` maps a file to its text; a
 * file without one is listed but not shown. `base` is the folder paths are shown relative to.
 */
export function coverageHtml(files: readonly FileCoverage[], sources: ReadonlyMap<string, string>, base: string, title = 'netdma-conformance — candidate line coverage'): string {
  const sorted = [...files].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const shown = (f: string) => escapeHtml(path.relative(base, f) || f);
  const total = coverageTotals(sorted);
  const rows = sorted
    .map((f, i) => `<tr><td><a href="#f${i}">${shown(f.file)}</a></td><td>${f.lines}</td><td>${f.covered}</td><td>${pct(f.covered, f.lines)}</td></tr>`)
    .join('\n');
  const bodies = sorted
    .map((f, i) => {
      const text = sources.get(f.file);
      const head = `<h2 id="f${i}">${shown(f.file)} <small>${f.covered}/${f.lines} lines, ${pct(f.covered, f.lines)}</small></h2>`;
      if (text === undefined) return `${head}\n<p>(source not readable)</p>`;
      const hits = new Map(f.lineHits);
      const lines = text.split('\n').map((l, j) => {
        const n = j + 1;
        const c = hits.get(n);
        const cls = c === undefined ? 'n' : c > 0 ? 'y' : 'z';
        return `<tr class="${cls}"><td class="ln">${n}</td><td class="ct">${c === undefined ? '' : c > 0 ? `${c}×` : '!'}</td><td><code>${escapeHtml(l) || ' '}</code></td></tr>`;
      });
      return `${head}\n<table class="src">\n${lines.join('\n')}\n</table>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:1.5em}
table{border-collapse:collapse}
td,th{padding:0 .6em;text-align:left}
.src td{white-space:pre;font:12px ui-monospace,monospace;vertical-align:top}
.src .ln,.src .ct{color:#666;text-align:right;user-select:none}
tr.y{background:#e6ffed}
tr.z{background:#ffeef0}
small{color:#666;font-weight:normal}
</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${total.covered} of ${total.lines} source lines with code ran (${pct(total.covered, total.lines)}). Green: ran (count of the most-run code on the line); red: never ran; plain: no code. Mapped back to the candidate's own source through its source map.</p>
<table><tr><th>file</th><th>lines</th><th>covered</th><th>%</th></tr>
${rows}
</table>
${bodies}
</body></html>
`;
}
