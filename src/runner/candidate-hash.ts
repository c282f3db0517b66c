import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { CandidateLoadError, type ResolvedCandidate } from './candidate';

/** The candidate's identity: where it is and what its source is. */
export interface CandidateIdentity {
  /** The candidate as given, relative to the working directory when it lies inside it, else absolute. */
  readonly path: string;
  /** `sha256:<hex>` of its source (see {@link hashCandidate}). */
  readonly hash: string;
  /** The files hashed, relative to the candidate's root (POSIX separators), in hash order. */
  readonly files: readonly string[];
}

const EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.tsx', '.jsx'];

// Specifiers of static imports and re-exports (not `import type` / `export type`), dynamic
// imports and require calls.
const SPECIFIERS = [
  /\bimport\s+(?!type\b)[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g,
  /\bexport\s+(?!type\b)[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g,
  /\bimport\s*['"]([^'"]+)['"]/g,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** Resolves a relative specifier the way tsx does for a candidate: as written, `.js` → `.ts`, then extensions, then `index.*`. */
function resolveRelative(from: string, spec: string): string | null {
  const base = path.resolve(path.dirname(from), spec);
  const tries = [base];
  const m = /\.([cm]?)js$/.exec(base);
  if (m) tries.push(base.slice(0, -m[0].length) + `.${m[1]}ts`, base.slice(0, -m[0].length) + '.tsx');
  for (const x of EXTENSIONS) tries.push(base + x);
  for (const x of EXTENSIONS) tries.push(path.join(base, `index${x}`));
  for (const t of tries) if (existsSync(t) && statSync(t).isFile()) return t;
  return null;
}

/**
 * Hashes a candidate's source without running any of it: SHA-256 over its **entry file** and every
 * file that reaches through **relative** specifiers (`import … from './x'`, `export … from`, bare
 * `import './x'`, `import('./x')`, `require('./x')`; type-only imports excluded), transitively; for
 * a package folder also its `package.json` (it chooses the entry). Bare specifiers (packages,
 * `node:` modules) are not followed, nor is the suite's candidate API (`src/candidate-api.ts`, what
 * `import 'netdma-conformance'` is): they are the harness, not the candidate. Each file enters the
 * hash as its path relative to the candidate's root, a NUL, its length, a NUL and its bytes, in
 * path order — so a changed byte, an added or removed import, or a renamed file changes the hash,
 * and moving the whole candidate folder does not.
 */
export function hashCandidate(resolved: ResolvedCandidate, given: string, suiteRoot: string, cwd = process.cwd()): CandidateIdentity {
  const api = path.join(suiteRoot, 'src', 'candidate-api.ts');
  const seen = new Set<string>();
  const queue = [resolved.path];
  const abs = path.resolve(cwd, given);
  if (statSync(abs).isDirectory() && existsSync(path.join(abs, 'package.json'))) seen.add(path.join(abs, 'package.json'));
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new CandidateLoadError(`cannot read candidate source ${file}: ${(e as Error).message}`);
    }
    for (const re of SPECIFIERS) {
      for (const m of text.matchAll(re)) {
        const spec = m[1]!;
        if (!spec.startsWith('./') && !spec.startsWith('../')) continue;
        const target = resolveRelative(file, spec);
        if (target !== null && target !== api && !target.split(path.sep).includes('node_modules')) queue.push(target);
      }
    }
  }
  const rel = (f: string) => path.relative(resolved.root, f).split(path.sep).join('/');
  const files = [...seen].sort((a, b) => (rel(a) < rel(b) ? -1 : rel(a) > rel(b) ? 1 : 0));
  const h = createHash('sha256');
  for (const f of files) {
    const bytes = readFileSync(f);
    h.update(`${rel(f)}\0${bytes.length}\0`);
    h.update(bytes);
  }
  const inside = path.relative(cwd, abs);
  const shown = inside === '' ? '.' : !inside.startsWith('..') && !path.isAbsolute(inside) ? inside : abs;
  return { path: shown, hash: `sha256:${h.digest('hex')}`, files: files.map(rel) };
}
