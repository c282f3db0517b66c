#!/usr/bin/env node
// Builds dist/: the suite compiled to JavaScript with declarations, as the package ships it.
//
// The sources import each other without extensions (moduleResolution "bundler": tsx, vitest and tsc
// all resolve them). Node's ESM loader and TypeScript's node16/nodenext resolution need full
// specifiers, so after tsc emits, every relative specifier in the emitted .js and .d.ts files is
// rewritten to the file it names in dist ('./core' -> './core.js' or './core/index.js'). The rewrite
// resolves against the emitted tree itself, so it holds however the source folders are arranged,
// and a specifier that names no emitted file fails the build. (TypeScript's own
// rewriteRelativeImportExtensions only rewrites specifiers written with a '.ts' extension, which
// would mean editing every import line of the tree.)
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');

// A clean tree: files moved or deleted in the sources must not survive in dist.
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

/** `from '…'`, `import '…'`, `import('…')` with a relative specifier. */
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.\.?(?:\/[^'"\n]*)?)\2/g;

function emitted(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) emitted(full, out);
    else if (/\.(js|d\.ts)$/.test(name)) out.push(full);
  }
  return out;
}

function resolveSpecifier(file, spec) {
  if (/\.(c|m)?js$|\.json$/.test(spec)) return spec;
  const target = path.resolve(path.dirname(file), spec);
  if (existsSync(`${target}.js`)) return `${spec}.js`;
  if (existsSync(path.join(target, 'index.js'))) return `${spec.replace(/\/$/, '')}/index.js`;
  return null;
}

const unresolved = [];
let rewritten = 0;
for (const file of emitted(dist)) {
  const text = readFileSync(file, 'utf8');
  const next = text.replace(SPECIFIER, (whole, lead, quote, spec, at) => {
    // Examples in doc comments are text, not imports.
    const line = text.slice(text.lastIndexOf('\n', at) + 1, at).trimStart();
    if (/^(\*|\/\*|\/\/)/.test(line)) return whole;
    const to = resolveSpecifier(file, spec);
    if (to === null) {
      unresolved.push(`${path.relative(root, file)}: '${spec}'`);
      return whole;
    }
    if (to !== spec) rewritten++;
    return `${lead}${quote}${to}${quote}`;
  });
  if (next !== text) writeFileSync(file, next);
}
if (unresolved.length > 0) {
  console.error(`build: relative imports that name no emitted file:\n  ${unresolved.join('\n  ')}`);
  process.exit(1);
}
console.log(`build: dist/ written (${rewritten} relative specifiers given their .js file)`);
