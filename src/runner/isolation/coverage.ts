import { realpathSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Line coverage of one candidate file, mapped back to its own source lines. */
export interface FileCoverage {
  readonly file: string;
  readonly lines: number;
  readonly covered: number;
  /**
   * Per source line with code (1-based, ascending): how often the most-run code on it ran. Lines
   * of the candidate's own source (through its source map), so lcov and the HTML report can show them.
   */
  readonly lineHits: readonly (readonly [line: number, count: number])[];
}

/** What `--coverage` collects in the worker. */
export interface CandidateCoverage {
  readonly files: FileCoverage[];
  /**
   * V8's precise coverage for the candidate's scripts in the format of `NODE_V8_COVERAGE` files, with
   * the inline source maps under `source-map-cache`, so c8 / v8-to-istanbul map it to the .ts lines.
   */
  readonly raw: unknown;
}

interface Range {
  startOffset: number;
  endOffset: number;
  count: number;
}

/** Per character, the count of the innermost V8 block range that contains it. */
function countsOf(length: number, functions: { ranges: Range[] }[]): Int32Array {
  const counts = new Int32Array(length).fill(-1);
  const ranges = functions.flatMap((f) => f.ranges).sort((a, b) => a.startOffset - b.startOffset || b.endOffset - a.endOffset);
  // Outer ranges first, inner ones overwrite: the innermost range decides (V8 block coverage is nested).
  for (const r of ranges) counts.fill(r.count, Math.max(0, r.startOffset), Math.min(length, r.endOffset));
  return counts;
}

/**
 * Maps coverage back to the candidate's own source lines through the inline source map that tsx
 * attaches (the code V8 runs is transpiled and minified). A source line counts when some generated
 * code maps to it; it is covered when any of that code ran.
 */
/** The inline source map of a script (tsx attaches one), parsed, or null. */
function inlineSourceMap(source: string): { payload: ConstructorParameters<typeof SourceMap>[0]; at: number } | null {
  const m = /\/\/# sourceMappingURL=data:application\/json;(?:charset=utf-8;)?base64,([A-Za-z0-9+/=]+)\s*$/.exec(source);
  if (!m) return null;
  try {
    return { payload: JSON.parse(Buffer.from(m[1]!, 'base64').toString('utf8')) as ConstructorParameters<typeof SourceMap>[0], at: m.index };
  } catch {
    return null;
  }
}

/** Line hits as sorted pairs, and the counts of lines and covered lines. */
function summarize(hits: Map<number, number>): Pick<FileCoverage, 'lines' | 'covered' | 'lineHits'> {
  const lineHits = [...hits].sort((a, b) => a[0] - b[0]);
  return { lines: lineHits.length, covered: lineHits.filter(([, c]) => c > 0).length, lineHits };
}

function mappedLineCoverage(source: string, counts: Int32Array): Pick<FileCoverage, 'lines' | 'covered' | 'lineHits'> | null {
  const inline = inlineSourceMap(source);
  if (!inline) return null;
  let map: SourceMap;
  try {
    map = new SourceMap(inline.payload);
  } catch {
    return null;
  }
  // Original line (1-based) -> the largest count of the generated code mapped to it.
  const hits = new Map<number, number>();
  let line = 0;
  let col = 0;
  const end = inline.at;
  for (let i = 0; i < end; i++) {
    const ch = source.charCodeAt(i);
    if (ch === 10) {
      line++;
      col = 0;
      continue;
    }
    if (ch !== 32 && ch !== 9 && ch !== 59) {
      const e = map.findEntry(line, col) as { originalLine?: number };
      if (e && typeof e.originalLine === 'number') {
        const l = e.originalLine + 1;
        hits.set(l, Math.max(hits.get(l) ?? 0, counts[i] ?? 0));
      }
    }
    col++;
  }
  return summarize(hits);
}

/** Without a source map: a line counts when it has code; it is covered when the code at its first non-blank character ran. */
function lineCoverage(source: string, counts: Int32Array): Pick<FileCoverage, 'lines' | 'covered' | 'lineHits'> {
  const hits = new Map<number, number>();
  let at = 0;
  let n = 0;
  for (const line of source.split('\n')) {
    n++;
    const first = line.search(/\S/);
    const text = line.trim();
    if (first >= 0 && !text.startsWith('//') && !text.startsWith('/*') && !text.startsWith('*') && text !== '}' && text !== '};' && text !== ');') {
      hits.set(n, Math.max(0, counts[at + first] ?? 0));
    }
    at += line.length + 1;
  }
  return summarize(hits);
}

const real = (p: string) => {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
};

/**
 * Starts V8 precise coverage in this thread (the isolation worker) and returns a function that takes
 * it and keeps the scripts under `root`. Paths are compared after resolving symlinks, so a candidate
 * installed under node_modules is still found (V8 reports real paths).
 */
export async function startCoverage(root: string): Promise<() => Promise<CandidateCoverage>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Debugger.enable');
  await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
  const base = real(root) + path.sep;
  return async () => {
    const { result } = (await session.post('Profiler.takePreciseCoverage')) as { result: { scriptId: string; url: string; functions: { ranges: Range[] }[] }[] };
    const mine = result.filter((s) => s.url.startsWith('file:') && real(fileURLToPath(s.url.replace(/\?.*$/, ''))).startsWith(base));
    const files: FileCoverage[] = [];
    const sourceMapCache: Record<string, { lineLengths: number[]; data: unknown }> = {};
    for (const s of mine) {
      const { scriptSource } = (await session.post('Debugger.getScriptSource', { scriptId: s.scriptId })) as { scriptSource: string };
      const counts = countsOf(scriptSource.length, s.functions);
      const c = mappedLineCoverage(scriptSource, counts) ?? lineCoverage(scriptSource, counts);
      files.push({ file: real(fileURLToPath(s.url.replace(/\?.*$/, ''))), ...c });
      // As Node writes it for NODE_V8_COVERAGE: what c8 needs to map the transpiled code back.
      const inline = inlineSourceMap(scriptSource);
      if (inline) sourceMapCache[s.url] = { lineLengths: scriptSource.split('\n').map((l) => l.length), data: inline.payload };
    }
    await session.post('Profiler.stopPreciseCoverage');
    session.disconnect();
    return { files, raw: { result: mine, 'source-map-cache': sourceMapCache } };
  };
}

interface RawCoverage {
  result: { url: string; functions: unknown[] }[];
  'source-map-cache': Record<string, unknown>;
}

/**
 * The coverage of two workers that ran the same candidate (`check --jobs`): per file and line the
 * counts add up, so a line is covered when either worker ran it. The raw V8 data keeps each
 * worker's script entries side by side, as two `NODE_V8_COVERAGE` files would (c8 and
 * v8-to-istanbul merge entries of the same URL), with one source map per script.
 */
export function mergeCoverage(a: CandidateCoverage, b: CandidateCoverage): CandidateCoverage {
  const byFile = new Map<string, Map<number, number>>();
  for (const f of [...a.files, ...b.files]) {
    const hits = byFile.get(f.file) ?? new Map<number, number>();
    for (const [line, count] of f.lineHits) hits.set(line, (hits.get(line) ?? 0) + count);
    byFile.set(f.file, hits);
  }
  const files: FileCoverage[] = [...byFile].map(([file, hits]) => ({ file, ...summarize(hits) }));
  const ra = a.raw as RawCoverage;
  const rb = b.raw as RawCoverage;
  const raw: RawCoverage = { result: [...ra.result, ...rb.result], 'source-map-cache': { ...ra['source-map-cache'], ...rb['source-map-cache'] } };
  return { files, raw };
}
