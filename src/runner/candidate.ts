import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import * as z from 'zod';
import type { DriverImageLoader } from '../candidate-api';

/** A candidate that could not be loaded; the message names the problem (exit code 2). */
export class CandidateLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CandidateLoadError';
  }
}

/** A loaded candidate. */
export interface Candidate {
  readonly loader: DriverImageLoader;
  /** Absolute path of the module file. */
  readonly path: string;
  /** Display name (package name or file name). */
  readonly name: string;
  /** Directory whose files count as the candidate's own (for locations and coverage). */
  readonly root: string;
}

const EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'] as const;

const ModuleShape = z.object({
  default: z.custom<DriverImageLoader>((v) => typeof v === 'function', { message: 'the default export is not a function' }),
});

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** Finds the module a package folder points at (exports '.', then main, then index.*). */
function packageEntry(dir: string): { file: string; name: string } {
  const pkgPath = path.join(dir, 'package.json');
  let name = path.basename(dir);
  const candidates: string[] = [];
  if (existsSync(pkgPath)) {
    let pkg: { name?: unknown; main?: unknown; exports?: unknown };
    try {
      pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as typeof pkg;
    } catch (e) {
      throw new CandidateLoadError(`${pkgPath} is not valid JSON: ${(e as Error).message}`);
    }
    if (typeof pkg.name === 'string') name = pkg.name;
    const exp = pkg.exports;
    const dot = typeof exp === 'string' ? exp : typeof exp === 'object' && exp !== null ? (exp as Record<string, unknown>)['.'] : undefined;
    const target = typeof dot === 'string' ? dot : typeof dot === 'object' && dot !== null ? ((dot as Record<string, unknown>)['import'] ?? (dot as Record<string, unknown>)['default']) : undefined;
    if (typeof target === 'string') candidates.push(target);
    if (typeof pkg.main === 'string') candidates.push(pkg.main);
  }
  for (const ext of EXTENSIONS) candidates.push(`index${ext}`, `src/index${ext}`);
  for (const c of candidates) {
    const f = path.resolve(dir, c);
    if (existsSync(f) && statSync(f).isFile()) return { file: f, name };
  }
  throw new CandidateLoadError(`${dir} is a folder but names no module: give package.json an "exports" or "main" entry, or add index.ts / index.js`);
}

/** Turns a loader error (esbuild/tsx transform or Node's SyntaxError) into "file:line:col: message". */
function syntaxMessage(e: unknown, file: string): string | null {
  // eslint-disable-next-line no-control-regex
  const text = (e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e)).replace(/\u001b\[[0-9;]*m/g, '');
  if (!(e instanceof SyntaxError) && !/Transform failed|ERROR:|SyntaxError|PARSE_ERROR/.test(text)) return null;
  const loc = /([^\s:[\]()]+\.(?:m?[jt]s)):(\d+):(\d+)/.exec(text);
  const what = /ERROR: ([^\n]+)/.exec(text)?.[1] ?? /\[PARSE_ERROR\]\s*([^\n]+)/.exec(text)?.[1] ?? (e instanceof Error ? e.message.split('\n')[0] : String(e));
  if (loc) {
    // esbuild names a .mts/.cts source '.ts'; report the file the user gave.
    const reported = path.resolve(loc[1]!);
    const shown = reported.replace(/\.[cm]?[jt]s$/, '') === file.replace(/\.[cm]?[jt]s$/, '') ? file : reported;
    return `syntax error at ${shown}:${loc[2]}:${loc[3]}: ${what}`;
  }
  const node = new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+)`).exec(text);
  const msg = e instanceof Error ? e.message : String(e);
  return node ? `syntax error at ${file}:${node[1]}: ${msg}` : `syntax error in ${file}: ${msg}`;
}

/** Where a candidate lives, found without running any of its code. */
export type ResolvedCandidate = Omit<Candidate, 'loader'>;

/** Resolves a candidate path (file or package folder) without importing it. */
export function resolveCandidate(spec: string, cwd = process.cwd()): ResolvedCandidate {
  const abs = path.resolve(cwd, spec);
  if (!existsSync(abs)) throw new CandidateLoadError(`candidate not found: ${spec} (looked at ${abs})`);
  let file = abs;
  let name = path.basename(abs).replace(/\.(m?[jt]s)$/, '');
  if (name === 'index') name = path.basename(path.dirname(abs));
  let root = path.dirname(abs);
  if (statSync(abs).isDirectory()) {
    const entry = packageEntry(abs);
    file = entry.file;
    name = entry.name;
    root = abs;
  } else if (!EXTENSIONS.some((x) => abs.endsWith(x))) {
    throw new CandidateLoadError(`candidate ${spec} is not a .ts, .mts, .js or .mjs module or a package folder`);
  }
  return { path: file, name, root };
}

/**
 * Loads a candidate: a .ts, .mts, .js or .mjs module, or a package folder. Its default export must
 * be a {@link DriverImageLoader}. Throws {@link CandidateLoadError} with a message naming the problem.
 */
export async function loadCandidate(spec: string, cwd = process.cwd()): Promise<Candidate> {
  const { path: file, name, root } = resolveCandidate(spec, cwd);
  let mod: unknown;
  try {
    // tsImport loads the file as a module whatever the nearest package.json says (a driver
    // project without "type": "module" works too).
    mod = await tsImport(pathToFileURL(file).href, import.meta.url);
  } catch (e) {
    const syntax = syntaxMessage(e, file);
    if (syntax) throw new CandidateLoadError(`cannot load candidate: ${syntax}`);
    throw new CandidateLoadError(`cannot load candidate ${file}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  let m = mod as Record<string, unknown>;
  // A module compiled as CommonJS arrives as { default: module.exports }: unwrap its own default.
  const inner = m['default'];
  if (inner !== null && typeof inner === 'object' && typeof (inner as Record<string, unknown>)['default'] === 'function') m = inner as Record<string, unknown>;
  if (!('default' in m) || m['default'] === undefined) {
    const named = Object.keys(m).filter((k) => k !== 'default');
    throw new CandidateLoadError(`candidate ${file} has no default export${named.length ? ` (it exports ${named.slice(0, 5).join(', ')})` : ''}; export default a function (services) => DriverEntry`);
  }
  const parsed = ModuleShape.safeParse(m);
  if (!parsed.success) throw new CandidateLoadError(`candidate ${file}: the default export is ${describeValue(m['default'])}, not a function (services) => DriverEntry`);
  return { loader: parsed.data.default, path: file, name, root };
}
