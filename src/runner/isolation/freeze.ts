import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const freeze = Object.freeze;
const isFrozen = Object.isFrozen;

function freezeExport(v: unknown): void {
  if (typeof v === 'function') {
    const proto = (v as { prototype?: unknown }).prototype;
    if (proto && typeof proto === 'object' && !isFrozen(proto)) freeze(proto);
    if (!isFrozen(v)) freeze(v);
  } else if (v !== null && typeof v === 'object' && !isFrozen(v) && !ArrayBuffer.isView(v) && !('_zod' in v)) {
    // (zod schemas define their methods lazily and cannot be frozen; they validate, they do not judge.)
    freeze(v);
  }
}

/** '.ts' when the checker runs from its sources, '.js' when it runs compiled (dist/). */
const EXT = path.extname(fileURLToPath(import.meta.url));

function sources(dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) sources(full, out);
    else if (name.endsWith(EXT) && !name.endsWith('.d.ts') && !name.endsWith(`.test${EXT}`) && !name.endsWith(`main${EXT}`)) out.push(full);
  }
}

/**
 * Freezes the checker before a candidate loads: every class prototype and exported object of the
 * kernel, models, hardware and properties, and fast-check's exports. A candidate that imports them
 * cannot switch a check off (assignments to frozen objects throw in strict-mode ES modules).
 */
export async function freezeChecker(suiteRoot: string): Promise<number> {
  const files: string[] = [];
  for (const d of ['src/kernel', 'src/client', 'src/model', 'src/hardware', 'src/trace', 'properties', 'spec']) sources(path.join(suiteRoot, d), files);
  let n = 0;
  for (const f of files) {
    if (f.includes(`${path.sep}rules${path.sep}`) || f.endsWith(`generate-rules-md${EXT}`)) continue;
    const ns = (await import(pathToFileURL(f).href)) as Record<string, unknown>;
    for (const k of Object.keys(ns)) {
      freezeExport(ns[k]);
      n++;
    }
  }
  const fc = (await import('fast-check')) as Record<string, unknown>;
  for (const k of Object.keys(fc)) freezeExport(fc[k]);
  return n;
}

/** The suite's root folder (dist/ when compiled), from this file's location. */
export const SUITE_ROOT_FROM_WORKER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
